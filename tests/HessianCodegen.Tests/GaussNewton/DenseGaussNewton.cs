using System;
using HessianCodegen.Layers;

namespace HessianCodegen.Tests.GaussNewton;

/// <summary>
/// The dense Gauss-Newton matrix <c>G = sum_n J_n^T Lambda_n J_n</c> built without the code under test:
/// <c>J_n</c>, the Jacobian of example <c>n</c>'s logits (the loss layer's input) in the parameters, by
/// Richardson-extrapolated central differences of the forward pass; <c>Lambda_n</c>, the loss's Hessian
/// in the logits over the batch size, written out by hand for <see cref="SoftmaxCrossEntropyLoss"/>
/// (<c>(diag(s) - s s^T) / B</c>, <c>s</c> the softmax) and <see cref="SquaredErrorLoss"/> (<c>I / B</c>).
/// </summary>
public static class DenseGaussNewton
{
    /// <summary>Step of the coarser central difference; the extrapolation also uses half of it.</summary>
    private const double Step = 1e-3;

    public static double[,] Build(Network network, ReadOnlySpan<double> parameters, Batch batch)
    {
        IHessianLayer loss = network.LossLayer;
        int size = network.ParameterCount;
        int logits = loss.InputSize;
        var result = new double[size, size];
        var jacobian = new double[logits, size];
        double[] point = parameters.ToArray();
        for (int n = 0; n < batch.Count; n++)
        {
            for (int j = 0; j < size; j++)
            {
                double[] coarse = CentralDifference(network, point, batch, n, j, Step);
                double[] fine = CentralDifference(network, point, batch, n, j, Step / 2);
                for (int i = 0; i < logits; i++)
                {
                    // Richardson: the h^2 terms of the two central differences cancel, leaving O(h^4).
                    jacobian[i, j] = ((4 * fine[i]) - coarse[i]) / 3;
                }
            }

            double[,] lambda = LossHessian(loss, Logits(network, point, batch, n), batch.Count);
            for (int r = 0; r < size; r++)
            {
                for (int c = 0; c < size; c++)
                {
                    double sum = 0;
                    for (int i = 0; i < logits; i++)
                    {
                        for (int k = 0; k < logits; k++)
                        {
                            sum += jacobian[i, r] * lambda[i, k] * jacobian[k, c];
                        }
                    }

                    result[r, c] += sum;
                }
            }
        }

        return result;
    }

    /// <summary>The loss layer's input for example <paramref name="example"/>: the forward pass of every layer before it.</summary>
    public static double[] Logits(Network network, double[] parameters, Batch batch, int example)
    {
        double[] activation = batch.Inputs.Slice(example * network.InputSize, network.InputSize).ToArray();
        for (int l = 0; l + 1 < network.Depth; l++)
        {
            IHessianLayer layer = network.Layers[l];
            var output = new double[layer.OutputSize];
            layer.Forward(network.ParameterSlice(parameters, l), activation, default, output);
            activation = output;
        }

        return activation;
    }

    /// <summary>
    /// <c>Lambda_n</c>: the loss's Hessian in its input for one example, divided by the batch size
    /// (neither loss's Hessian depends on the label or the target).
    /// </summary>
    private static double[,] LossHessian(IHessianLayer loss, double[] logits, int batchSize)
    {
        int k = logits.Length;
        var lambda = new double[k, k];
        switch (loss)
        {
            case SoftmaxCrossEntropyLoss:
                double largest = double.NegativeInfinity;
                foreach (double value in logits)
                {
                    largest = Math.Max(largest, value);
                }

                var softmax = new double[k];
                double total = 0;
                for (int i = 0; i < k; i++)
                {
                    softmax[i] = Math.Exp(logits[i] - largest);
                    total += softmax[i];
                }

                for (int i = 0; i < k; i++)
                {
                    softmax[i] /= total;
                }

                for (int i = 0; i < k; i++)
                {
                    for (int j = 0; j < k; j++)
                    {
                        lambda[i, j] = ((i == j ? softmax[i] : 0) - (softmax[i] * softmax[j])) / batchSize;
                    }
                }

                break;
            case SquaredErrorLoss:
                for (int i = 0; i < k; i++)
                {
                    lambda[i, i] = 1.0 / batchSize;
                }

                break;
            default:
                throw new ArgumentException($"The loss layer is a {loss.GetType().Name}; expected SoftmaxCrossEntropyLoss or SquaredErrorLoss.", nameof(loss));
        }

        return lambda;
    }

    private static double[] CentralDifference(Network network, double[] parameters, Batch batch, int example, int parameter,
        double step)
    {
        double saved = parameters[parameter];
        parameters[parameter] = saved + step;
        double[] plus = Logits(network, parameters, batch, example);
        parameters[parameter] = saved - step;
        double[] minus = Logits(network, parameters, batch, example);
        parameters[parameter] = saved;
        var result = new double[plus.Length];
        for (int i = 0; i < plus.Length; i++)
        {
            result[i] = (plus[i] - minus[i]) / (2 * step);
        }

        return result;
    }
}
