using System;

namespace HessianCodegen;

/// <summary>
/// Marks a <c>partial</c> class whose layer math the HessianCodegen generator differentiates.
/// The class declares its sizes as primary-constructor parameters, its tensors as fields
/// initialized with <see cref="LayerMath.Input"/>, <see cref="LayerMath.Parameter(int)"/>,
/// <see cref="LayerMath.Target"/> or <see cref="LayerMath.ClassLabel"/>, and its math as
/// <c>double Output(int i) =&gt; ...</c> (a hidden layer) or <c>double Loss() =&gt; ...</c>
/// (the last layer, one scalar per example). The generator implements <see cref="IHessianLayer"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
public sealed class HessianLayerAttribute : Attribute
{
}
