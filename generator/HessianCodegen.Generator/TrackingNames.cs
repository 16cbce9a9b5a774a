namespace HessianCodegen.Generator;

/// <summary>The names of the generator's pipeline stages, for incrementality tests.</summary>
internal static class TrackingNames
{
    /// <summary>Each [HessianLayer] class parsed into a model plus diagnostics.</summary>
    public const string Parse = nameof(Parse);

    /// <summary>The diagnostics of each layer.</summary>
    public const string Diagnostics = nameof(Diagnostics);

    /// <summary>The models of the layers that parsed without errors.</summary>
    public const string Model = nameof(Model);

    /// <summary>The generated source of each layer.</summary>
    public const string Source = nameof(Source);
}
