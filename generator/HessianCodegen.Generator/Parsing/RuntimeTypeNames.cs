namespace HessianCodegen.Generator.Parsing;

/// <summary>
/// The fully qualified names of the runtime types the generator recognizes in user code. They live
/// in the HessianCodegen assembly, which the generator does not reference, so they are matched by name.
/// </summary>
internal static class RuntimeTypeNames
{
    public const string HessianLayerAttribute = "HessianCodegen.HessianLayerAttribute";
    public const string LayerMath = "HessianCodegen.LayerMath";
    public const string Vector = "HessianCodegen.Vector";
    public const string Matrix = "HessianCodegen.Matrix";
    public const string Label = "HessianCodegen.Label";
}
