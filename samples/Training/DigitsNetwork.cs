using HessianCodegen;
using HessianCodegen.Layers;

namespace Training;

/// <summary>
/// The deep, narrow classifier every optimizer trains: <c>depth - 1</c> tanh layers of the given
/// width (the first reads the 64 pixels), a linear layer to the 10 logits, and the softmax
/// cross-entropy as a parameterless layer of its own, which is what Gauss-Newton needs
/// (docs/algorithm.md section 14).
/// </summary>
internal static class DigitsNetwork
{
    public static Network Create(int depth, int width)
    {
        var layers = new IHessianLayer[depth + 1];
        layers[0] = new TanhLayer(DigitsData.Pixels, width);
        for (int l = 1; l < depth - 1; l++)
        {
            layers[l] = new TanhLayer(width, width);
        }

        layers[depth - 1] = new LinearLayer(width, DigitsData.Classes);
        layers[depth] = new SoftmaxCrossEntropyLoss(DigitsData.Classes);
        return new Network(layers);
    }
}
