using System;
using System.Collections.Generic;
using System.Threading;
using HessianCodegen.LinearAlgebra;

namespace HessianCodegen;

/// <summary>
/// A factorization of <c>H + eps I</c> for one epsilon, created by <see cref="HessianDerivatives.Factorize(double)"/>:
/// solves for any number of right-hand sides, and tells the inertia, positive definiteness and
/// log-determinant of <c>H + eps I</c>.
/// </summary>
/// <remarks>
/// <para>
/// The main path is the Riccati recursion (<see cref="FactorizationPath.Riccati"/>, docs/algorithm.md
/// section 12): block elimination of <c>H + eps I</c> last layer first, with one pivot block <c>A_l</c> per
/// layer, factored by Cholesky when positive definite and else by Bunch-Kaufman <c>L D L^T</c>. Its cost
/// per layer is <c>O(p^3 + p^2 m + p m^2)</c> with <c>m = B a</c> the layer's outputs over the batch.
/// </para>
/// <para>
/// The fallback is the pivoted LU of the block-tridiagonal augmented system
/// (<see cref="FactorizationPath.BandedLU"/>, <c>O((p + 2m)^3)</c> per layer). It runs when a pivot block is
/// singular to working precision (<see cref="Path"/> then says so), and for a right-hand side whose
/// Riccati solution keeps a backward error above 1e-14 after refinement (the <see cref="SolveReport"/>
/// says so); the latter is created on first need and kept.
/// </para>
/// <para>
/// Inertia (Haynsworth): when every <c>A_l</c> is nonsingular, <c>In(H + eps I)</c> is the sum of their
/// inertias, and <c>log |det(H + eps I)|</c> the sum of their log-determinants. <c>H + eps I</c> is positive
/// definite iff every <c>A_l</c> has a Cholesky factor: a positive definite matrix has positive definite
/// Schur complements, so a singular <c>A_l</c> (the fallback) also proves it is not.
/// </para>
/// <para>
/// Disposing a factorization gives its stored factors back to a pool the process shares, and the next
/// <see cref="HessianDerivatives.Factorize(double)"/>, of the same derivatives (a trust-region or Levenberg-Marquardt
/// step factors one point at several shifts) or of others (the next training step's), stores its factors there
/// instead of allocating: <c>using HessianFactorization f = derivatives.Factorize(eps);</c>. Disposing is optional;
/// an undisposed factorization is collected as usual and stays valid however many more are made. The pool keeps
/// the storage of at most two disposed factorizations, by weak reference: a full collection reclaims what no
/// factorization has rented again. After <see cref="Dispose"/>,
/// the solves throw <see cref="ObjectDisposedException"/>; what the factorization told
/// (<see cref="LogDeterminant"/>, <see cref="Path"/>, and the inertia if read before) stays readable.
/// </para>
/// <para>
/// Like <see cref="NetworkPoint"/>, one factorization must not be used from several threads at once:
/// <see cref="SolveRefined(ReadOnlySpan{double}, Span{double})"/> uses the point's buffers for <c>H x</c>
/// and may create the fallback factorization on first need.
/// </para>
/// </remarks>
public sealed class HessianFactorization : IDisposable
{
    /// <summary>Refinement stops once the backward error is at most this.</summary>
    internal const double RefinementTarget = 1e-15;

    /// <summary>A Riccati solution whose backward error stays above this after refinement is redone by the banded LU.</summary>
    internal const double FallbackThreshold = 1e-14;

    /// <summary>Refinement steps at most: each costs one solve and one <c>H x</c>.</summary>
    private const int MaxRefinementSteps = 4;

    private readonly HessianDerivatives derivatives;
    private readonly RiccatiFactorization? riccati;
    private readonly bool riccatiFailed;
    private BlockTridiagonalFactorization? bandedLU;
    private RiccatiFactorization? requestedLater;
    private bool disposed;

    private HessianFactorization(HessianDerivatives derivatives, double epsilon, RiccatiFactorization? riccati,
        BlockTridiagonalFactorization? bandedLU, bool riccatiFailed)
    {
        this.derivatives = derivatives;
        this.riccati = riccati;
        this.bandedLU = bandedLU;
        this.riccatiFailed = riccatiFailed;
        Epsilon = epsilon;
        Path = riccati is null ? FactorizationPath.BandedLU : FactorizationPath.Riccati;
        LogDeterminant = riccati?.LogDeterminant ?? bandedLU!.LogDeterminant;
        FlopCount = riccati?.FlopCount ?? bandedLU!.FlopCount;
    }

    /// <summary>The damping <c>eps</c> in <c>H + eps I</c>.</summary>
    public double Epsilon { get; }

    /// <summary>
    /// The factorization <see cref="Solve(ReadOnlySpan{double}, Span{double})"/> uses: <see cref="FactorizationPath.Riccati"/>,
    /// or <see cref="FactorizationPath.BandedLU"/> when a pivot block was singular to working precision or
    /// the banded LU was asked for.
    /// </summary>
    public FactorizationPath Path { get; }

    /// <summary>Length of a right-hand side and of a solution: the network's parameter count.</summary>
    public int Size => derivatives.Point.Network.ParameterCount;

    /// <summary>
    /// Whether <c>H + eps I</c> is positive definite: every pivot block <c>A_l</c> has a Cholesky factor
    /// with pivots above working precision. Exact on both paths: when the recursion met a singular pivot
    /// block, <c>H + eps I</c> is not positive definite. When the banded LU was asked for explicitly, the
    /// first read runs the recursion.
    /// </summary>
    public bool IsPositiveDefinite => !riccatiFailed && (Recursion()?.IsPositiveDefinite ?? false);

    /// <summary>
    /// The counts of positive, negative and zero eigenvalues of <c>H + eps I</c> (their sum is
    /// <see cref="Size"/>), as the sum of the pivot blocks' inertias. Null when the recursion met a pivot
    /// block singular to working precision (the banded LU, which then solves, does not reveal it).
    /// When the banded LU was asked for explicitly, the first read runs the recursion.
    /// </summary>
    public Inertia? Inertia => riccatiFailed ? null : Recursion()?.Inertia;

    /// <summary>
    /// <c>log |det(H + eps I)|</c> with the sign of the determinant, from the path that factored: the
    /// sum over the pivot blocks, or the diagonal of the banded LU's <c>U</c> (the augmented system has the
    /// same determinant as <c>H + eps I</c>, docs/algorithm.md).
    /// </summary>
    public LogDeterminant LogDeterminant { get; }

    /// <summary>
    /// How the recursion factored each layer's pivot block, first layer first: <see cref="PivotBlockRoute.Whole"/>,
    /// or <see cref="PivotBlockRoute.LowRankUpdate"/> for a wide layer whose block it did not form
    /// (docs/algorithm.md section 12). Null when the recursion met a singular pivot block; when the banded LU was
    /// asked for explicitly, the first read runs the recursion.
    /// </summary>
    public IReadOnlyList<PivotBlockRoute>? PivotBlockRoutes => riccatiFailed ? null : Recursion()?.Routes;

    /// <summary>Floating-point operations the factorization performed (a multiply-add counts two).</summary>
    public long FlopCount { get; }

    /// <summary>The Riccati recursion's factors when the Riccati path holds them, else null (for the depth-scaling report).</summary>
    internal RiccatiFactorization? RiccatiFactors => riccati;

    /// <summary>Factors <c>H + eps I</c> along <paramref name="path"/>; a Riccati request falls back to the banded LU on a singular pivot block.</summary>
    internal static HessianFactorization Create(HessianDerivatives derivatives, double epsilon, FactorizationPath path)
    {
        if (path == FactorizationPath.Riccati)
        {
            RiccatiFactorization? recursion = RiccatiFactorization.Create(derivatives, epsilon, out _);
            if (recursion is not null)
            {
                return new HessianFactorization(derivatives, epsilon, recursion, null, riccatiFailed: false);
            }

            return new HessianFactorization(derivatives, epsilon, null, new BlockTridiagonalFactorization(derivatives, epsilon), riccatiFailed: true);
        }

        return new HessianFactorization(derivatives, epsilon, null, new BlockTridiagonalFactorization(derivatives, epsilon), riccatiFailed: false);
    }

    /// <summary>Solves <c>(H + eps I) x = rhs</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="rhs"/> has the wrong length or a value that is not finite.</exception>
    /// <exception cref="ObjectDisposedException">The factorization was disposed.</exception>
    public double[] Solve(ReadOnlySpan<double> rhs)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var result = new double[Size];
        Solve(rhs, result);
        return result;
    }

    /// <summary>Solves <c>(H + eps I) x = rhs</c> into <paramref name="result"/>: one backward and one forward sweep over the layers.</summary>
    /// <exception cref="ArgumentException">A vector has the wrong length, or <paramref name="rhs"/> a value that is not finite.</exception>
    /// <exception cref="ObjectDisposedException">The factorization was disposed.</exception>
    public void Solve(ReadOnlySpan<double> rhs, Span<double> result)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        Guard.Length(rhs, Size, nameof(rhs));
        Guard.Length(result, Size, nameof(result));
        Guard.Finite(rhs, nameof(rhs));
        SolveAlong(Path, rhs, result);
    }

    /// <summary>
    /// Solves <c>(H + eps I) x = rhs</c> into <paramref name="result"/> and refines it with matrix-free
    /// products <c>H x</c> until its backward error is at most 1e-15 or stops decreasing (at most four
    /// steps). A Riccati solution still above 1e-14 is redone, and refined, by the banded LU, which is
    /// kept if it does better.
    /// </summary>
    /// <returns>The backward error before and after, the refinement steps kept, and the path of the returned solution.</returns>
    /// <exception cref="ArgumentException">A vector has the wrong length, or <paramref name="rhs"/> a value that is not finite.</exception>
    /// <exception cref="SingularSystemException">The fallback found <c>H + eps I</c> singular to working precision.</exception>
    /// <exception cref="ObjectDisposedException">The factorization was disposed.</exception>
    public SolveReport SolveRefined(ReadOnlySpan<double> rhs, Span<double> result) =>
        SolveRefined(rhs, result, RefinementTarget, FallbackThreshold);

    /// <summary><see cref="SolveRefined(ReadOnlySpan{double}, Span{double})"/> with the thresholds given (for tests).</summary>
    internal SolveReport SolveRefined(ReadOnlySpan<double> rhs, Span<double> result, double target, double fallbackThreshold)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        Guard.Length(rhs, Size, nameof(rhs));
        Guard.Length(result, Size, nameof(result));
        Guard.Finite(rhs, nameof(rhs));
        SolveReport report = Refine(Path, rhs, result, target);
        if (Path == FactorizationPath.Riccati && !(report.BackwardError <= fallbackThreshold))
        {
            bandedLU ??= new BlockTridiagonalFactorization(derivatives, Epsilon);
            var alternative = new double[Size];
            SolveReport fallback = Refine(FactorizationPath.BandedLU, rhs, alternative, target);
            if (fallback.BackwardError < report.BackwardError)
            {
                alternative.CopyTo(result);
                return fallback;
            }
        }

        return report;
    }

    private SolveReport Refine(FactorizationPath path, ReadOnlySpan<double> rhs, Span<double> result, double target)
    {
        SolveAlong(path, rhs, result);
        var residual = new double[Size];
        var correction = new double[Size];
        var candidate = new double[Size];
        var candidateResidual = new double[Size];
        double initial = BackwardError(rhs, result, residual);
        double error = initial;
        int steps = 0;
        while (error > target && steps < MaxRefinementSteps)
        {
            SolveAlong(path, residual, correction);
            result.CopyTo(candidate);
            VectorKernels.Axpy(1.0, correction, candidate);
            double candidateError = BackwardError(rhs, candidate, candidateResidual);
            if (!(candidateError < error))
            {
                break;
            }

            candidate.CopyTo(result);
            (residual, candidateResidual) = (candidateResidual, residual);
            error = candidateError;
            steps++;
        }

        return new SolveReport(error, initial, steps > 0, steps, path);
    }

    private void SolveAlong(FactorizationPath path, ReadOnlySpan<double> rhs, Span<double> result)
    {
        if (path == FactorizationPath.Riccati)
        {
            riccati!.Solve(rhs, result);
        }
        else
        {
            bandedLU!.Solve(rhs, result);
        }
    }

    /// <summary>
    /// Gives the stored factors back to the derivatives that made this factorization, for their next
    /// factorization to reuse, and stops keeping the derivatives' blocks alive (<see cref="HessianDerivatives.Dispose"/>). Solving with this one afterwards throws <see cref="ObjectDisposedException"/>.
    /// Calling it again does nothing.
    /// </summary>
    public void Dispose()
    {
        // Exchanged, so that two threads disposing at once release the derivatives' hold once.
        if (Interlocked.Exchange(ref disposed, true))
        {
            return;
        }

        riccati?.Release();
        requestedLater?.Release();
        derivatives.FactorizationDisposed(); // the derivatives' blocks may go to their pool now
    }

    /// <summary>The recursion's factors: this factorization's, or, when the banded LU was asked for, one run on first need.</summary>
    private RiccatiFactorization? Recursion()
    {
        if (riccati is not null || requestedLater is not null)
        {
            return riccati ?? requestedLater;
        }

        ObjectDisposedException.ThrowIf(disposed, this);
        return requestedLater = RiccatiFactorization.Create(derivatives, Epsilon, out _);
    }

    /// <summary>The backward error of <paramref name="x"/>; leaves <c>rhs - (H + eps I) x</c> in <paramref name="residual"/>.</summary>
    private double BackwardError(ReadOnlySpan<double> rhs, ReadOnlySpan<double> x, Span<double> residual)
    {
        derivatives.CurvatureVector(x, residual);
        for (int i = 0; i < residual.Length; i++)
        {
            residual[i] = rhs[i] - residual[i] - (Epsilon * x[i]);
        }

        double norm = derivatives.HessianNormEstimate + Epsilon;
        double denominator = (norm * VectorKernels.Norm(x)) + VectorKernels.Norm(rhs);
        return denominator > 0 ? VectorKernels.Norm(residual) / denominator : 0;
    }
}
