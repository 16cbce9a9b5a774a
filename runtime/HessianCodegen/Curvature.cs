namespace HessianCodegen;

/// <summary>Which curvature matrix the derivatives, products and solves use.</summary>
public enum Curvature
{
    /// <summary>The exact Hessian <c>H</c> of the loss in the parameters (indefinite in general).</summary>
    Hessian,

    /// <summary>
    /// The generalized Gauss-Newton matrix <c>G = sum_n J_n^T Lambda_n J_n</c>: <c>J_n</c> the Jacobian
    /// of the loss layer's input in the parameters for example <c>n</c>, <c>Lambda_n</c> the Hessian
    /// of its loss in that input divided by the batch size. Positive semi-definite for a convex loss
    /// (softmax cross-entropy, squared error). Needs a parameterless loss layer, such as
    /// <see cref="Layers.SoftmaxCrossEntropyLoss"/> or <see cref="Layers.SquaredErrorLoss"/>.
    /// </summary>
    GaussNewton,
}
