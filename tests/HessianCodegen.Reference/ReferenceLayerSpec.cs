namespace HessianCodegen;

/// <summary>
/// One layer of a reference case as the oracle describes it: <c>u = W z + c</c> with <c>W</c> of shape
/// <c>Outputs x Inputs</c>, then <see cref="Kind"/> (<c>dense</c>, <c>softmax_cross_entropy</c> or
/// <c>mean_squared_error</c>) and, for a dense layer, <see cref="Activation"/> (<c>tanh</c>,
/// <c>sigmoid</c>, <c>softplus</c> or <c>identity</c>).
/// </summary>
/// <param name="Kind">The layer kind.</param>
/// <param name="Activation">The activation of a dense layer; null for a loss layer.</param>
/// <param name="Inputs">Activations entering the layer.</param>
/// <param name="Outputs">Activations leaving it (classes or targets for a loss layer).</param>
public sealed record ReferenceLayerSpec(string Kind, string? Activation, int Inputs, int Outputs);
