using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Helpers;
using HessianCodegen.Generator.Model;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Batching;

/// <summary>
/// How a layer's input enters its math when it enters only through sums <c>Sum(j =&gt; W[e, j] * z[j])</c>
/// of one parameter matrix <c>W</c> (<c>e</c> any index but <c>j</c>, a label included). Over a batch all
/// those sums are one matrix product <c>Z W^T</c>: the batched members compute it once and run the rest of
/// the math per example on <see cref="SumLayer"/>, the layer rewritten with each sum replaced by an element
/// of a new input tensor (<see cref="Sums"/>, one value per row of <c>W</c>).
/// </summary>
/// <param name="Weights">The matrix <c>W</c>.</param>
/// <param name="Sums">The new input of <see cref="SumLayer"/>: <c>(W z)[e]</c>, named after <c>W</c> and <c>z</c> (<c>Wz</c>).</param>
/// <param name="SumLayer">The layer's math as a function of the sums (and of whatever else it reads: parameters, data).</param>
internal sealed record InputSums(TensorDeclaration Weights, TensorDeclaration Sums, LayerModel SumLayer)
{
    /// <summary>The sums of <paramref name="layer"/>, or null when its input also enters otherwise (or through two matrices).</summary>
    public static InputSums? Find(LayerModel layer, IEnumerable<string> reservedNames)
    {
        TensorRef input = layer.Input.ToTensorRef();
        var parameters = new HashSet<string>(layer.Parameters.Select(p => p.Name));
        var weights = new HashSet<string>();
        foreach (Node node in Nodes(layer.Expression))
        {
            if (IsInputSum(node, input, parameters, out TensorElement? weight))
            {
                weights.Add(weight!.Tensor.Name);
            }
        }

        if (weights.Count != 1)
        {
            return null;
        }

        TensorDeclaration matrix = layer.Parameters.First(p => p.Name == weights.Single());
        var sums = new TensorDeclaration(UniqueName(matrix.Name + layer.Input.Name, layer, reservedNames), TensorKind.Input,
            new EquatableArray<Extent>(new[] { matrix.Dimensions[0] }));
        Node rewritten = Traversal.Rewrite(layer.Expression, node =>
            IsInputSum(node, input, parameters, out TensorElement? weight) ? Expr.Element(sums.ToTensorRef(), weight!.Indices[0]) : null);
        if (Nodes(rewritten).Any(node => node is TensorElement element && element.Tensor == input))
        {
            return null;
        }

        // The sums go last: a size is read from the first tensor declaring it (LayerEmitter.SizeSource),
        // which must stay a field of the layer.
        var tensors = layer.Tensors.Where(t => t.Kind != TensorKind.Input).Concat(new[] { sums }).ToArray();
        LayerModel sumLayer = layer with { Tensors = new EquatableArray<TensorDeclaration>(tensors), Expression = rewritten };
        return new InputSums(matrix, sums, sumLayer);
    }

    /// <summary>Whether <paramref name="node"/> is <c>Sum(j =&gt; W[e, j] * z[j])</c>, with <c>W</c> a parameter matrix.</summary>
    private static bool IsInputSum(Node node, TensorRef input, HashSet<string> parameters, out TensorElement? weight)
    {
        weight = null;
        if (node is not Reduction { Operation: ReductionKind.Sum } sum || sum.Body is not Multiply { Factors.Count: 2 } product)
        {
            return false;
        }

        IndexRef bound = IndexRef.Loop(sum.Index);
        TensorElement? matrix = product.Factors.OfType<TensorElement>()
            .FirstOrDefault(e => parameters.Contains(e.Tensor.Name) && e.Tensor.Rank == 2 && e.Indices[1] == bound && e.Indices[0] != bound);
        TensorElement? vector = product.Factors.OfType<TensorElement>()
            .FirstOrDefault(e => e.Tensor == input && e.Indices[0] == bound);
        if (matrix is null || vector is null)
        {
            return false;
        }

        weight = matrix;
        return true;
    }

    /// <summary>Every distinct node of the expression DAG, each once.</summary>
    private static IEnumerable<Node> Nodes(Node root)
    {
        var seen = new HashSet<Node>();
        var pending = new Stack<Node>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            Node node = pending.Pop();
            if (!seen.Add(node))
            {
                continue;
            }

            yield return node;
            foreach (Node child in node.Children)
            {
                pending.Push(child);
            }
        }
    }

    // The batched members keep their workspace buffers under names derived from the sums' (Wz, WzSlope, WzTangent,
    // ...), given here, beside the check that keeps every one of them free.
    private const string AdjointSuffix = "Adjoint", SlopeSuffix = "Slope", TangentSuffix = "Tangent", CurvatureSuffix = "Curvature",
        AdjointTangentSuffix = "AdjointTangent", ScratchSuffix = "Scratch";

    private static readonly string[] DerivedSuffixes = { AdjointSuffix, SlopeSuffix, TangentSuffix, CurvatureSuffix, AdjointTangentSuffix, ScratchSuffix };

    /// <summary>The buffer of the sums' adjoints, <c>b df/dWz</c>.</summary>
    public string AdjointBuffer => Sums.Name + AdjointSuffix;

    /// <summary>The buffer of the slopes <c>d f[i] / d Wz[i]</c> of an element-wise layer.</summary>
    public string SlopeBuffer => Sums.Name + SlopeSuffix;

    /// <summary>The buffer of the sums' tangents along <c>(t, v)</c>.</summary>
    public string TangentBuffer => Sums.Name + TangentSuffix;

    /// <summary>The buffer of the second derivatives of an element-wise activation at the sums.</summary>
    public string CurvatureBuffer => Sums.Name + CurvatureSuffix;

    /// <summary>The buffer of the sums' adjoint-tangents.</summary>
    public string AdjointTangentBuffer => Sums.Name + AdjointTangentSuffix;

    /// <summary>One example's scratch of the sums' length.</summary>
    public string ScratchBuffer => Sums.Name + ScratchSuffix;

    private static string UniqueName(string wanted, LayerModel layer, IEnumerable<string> reservedNames)
    {
        var taken = new HashSet<string>(layer.Tensors.Select(t => t.Name).Concat(layer.SizeParameters).Concat(reservedNames));
        string name = wanted;
        for (int k = 2; taken.Contains(name) || DerivedSuffixes.Any(suffix => taken.Contains(name + suffix)); k++)
        {
            name = wanted + k.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return name;
    }
}
