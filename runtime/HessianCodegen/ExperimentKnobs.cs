namespace HessianCodegen;

/// <summary>
/// Branch dr1's switches for measuring prefetch variants of the width-8 batch-1 factorization in one build (environment
/// variables; all off by default, which is main's behaviour). Reverted in the next commit: none of them paid
/// (docs/algorithm.md, "Linear in depth, and where it bends").
/// </summary>
internal static class ExperimentKnobs
{
    /// <summary>HCG_X_TOUCH=1: TouchGroupRows also where the rows were prefetched.</summary>
    public static readonly bool AlwaysTouch = System.Environment.GetEnvironmentVariable("HCG_X_TOUCH") == "1";

    /// <summary>HCG_X_PF=0: no prefetch of the next layer.</summary>
    public static readonly bool NoPrefetch = System.Environment.GetEnvironmentVariable("HCG_X_PF") == "0";

    /// <summary>HCG_X_STORE=1: also prefetch the storage the layer will write (the previous layer's count of values).</summary>
    public static readonly bool Store = System.Environment.GetEnvironmentVariable("HCG_X_STORE") == "1";

    /// <summary>HCG_X_DEDUPE=1: a row's three lines issued only where they differ.</summary>
    public static readonly bool Dedupe = System.Environment.GetEnvironmentVariable("HCG_X_DEDUPE") == "1";

    /// <summary>HCG_X_NOBEFORE=1 (with HCG_X_DEDUPE=1): not the line before the diagonal.</summary>
    public static readonly bool NoBefore = System.Environment.GetEnvironmentVariable("HCG_X_NOBEFORE") == "1";

    /// <summary>HCG_X_GROUPS=1: the group arrays of layer l - 2 prefetched during layer l.</summary>
    public static readonly bool Groups = System.Environment.GetEnvironmentVariable("HCG_X_GROUPS") == "1";

    /// <summary>HCG_X_AHEAD=2: prefetch layer l - 2 in place of l - 1.</summary>
    public static readonly int Ahead = System.Environment.GetEnvironmentVariable("HCG_X_AHEAD") == "2" ? 2 : 1;

    /// <summary>HCG_X_STEPS=n: the steps the prefetch is spread over (4).</summary>
    public static readonly int Steps = int.TryParse(System.Environment.GetEnvironmentVariable("HCG_X_STEPS"), out int s) ? s : 4;
}
