using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace HessianCodegen;

/// <summary>
/// A reference case computed by an independent implementation (PyTorch autograd, float64): a
/// network, a batch, parameters and the loss, gradient, Hessian-vector product and solves that
/// the library must reproduce. Read from the oracle's JSON format with <see cref="JsonDocument"/>
/// (no reflection, so it works under native AOT).
/// </summary>
public sealed class ReferenceCase
{
    private ReferenceCase(JsonElement root, Func<ReferenceLayerSpec, IHessianLayer> createLayer)
    {
        Name = Required(root, "name").GetString() ?? "";
        Description = root.TryGetProperty("description", out JsonElement description) ? description.GetString() ?? "" : "";
        var specs = new List<ReferenceLayerSpec>();
        foreach (JsonElement layer in Required(root, "layers").EnumerateArray())
        {
            specs.Add(new ReferenceLayerSpec(
                Required(layer, "kind").GetString() ?? "",
                layer.TryGetProperty("activation", out JsonElement activation) ? activation.GetString() : null,
                Required(layer, "inputs").GetInt32(),
                Required(layer, "outputs").GetInt32()));
        }

        LayerSpecs = specs;
        var layers = new IHessianLayer[specs.Count];
        for (int l = 0; l < layers.Length; l++)
        {
            layers[l] = createLayer(specs[l]);
        }

        Network = new Network(layers);
        Parameters = ReadVector(root, "parameters");
        double[,] inputs = ReadMatrix(Required(root, "inputs"));
        if (root.TryGetProperty("labels", out JsonElement labels))
        {
            var values = new int[labels.GetArrayLength()];
            int n = 0;
            foreach (JsonElement label in labels.EnumerateArray())
            {
                values[n++] = label.GetInt32();
            }

            Batch = Batch.WithLabels(inputs, values);
        }
        else
        {
            Batch = Batch.WithTargets(inputs, ReadMatrix(Required(root, "targets")));
        }

        Loss = Required(root, "loss").GetDouble();
        Gradient = ReadVector(root, "gradient");
        Direction = ReadVector(root, "vector");
        HessianVector = ReadVector(root, "hessian_vector");
        RightHandSide = ReadVector(root, "rhs");
        HessianEigenvalueMin = Required(root, "hessian_eigenvalue_min").GetDouble();
        HessianEigenvalueMax = Required(root, "hessian_eigenvalue_max").GetDouble();
        var solves = new List<ReferenceSolve>();
        foreach (JsonElement solve in Required(root, "solves").EnumerateArray())
        {
            solves.Add(new ReferenceSolve(
                Required(solve, "epsilon").GetDouble(),
                ReadVector(solve, "solution"),
                Required(solve, "condition_number").GetDouble()));
        }

        Solves = solves;
        Hessian = root.TryGetProperty("hessian", out JsonElement hessian) ? ReadMatrix(hessian) : null;
    }

    /// <summary>The case's name (its file name without extension).</summary>
    public string Name { get; }

    /// <summary>What the case exercises, in a sentence.</summary>
    public string Description { get; }

    /// <summary>The layers as the oracle describes them.</summary>
    public IReadOnlyList<ReferenceLayerSpec> LayerSpecs { get; }

    /// <summary>The network built from <see cref="LayerSpecs"/>.</summary>
    public Network Network { get; }

    /// <summary>The batch: inputs and labels or targets.</summary>
    public Batch Batch { get; }

    /// <summary>The flat parameter vector (the oracle's order is the library's: layer by layer, W row-major, then c).</summary>
    public double[] Parameters { get; }

    /// <summary>The mean loss over the batch.</summary>
    public double Loss { get; }

    /// <summary>d loss / d parameters.</summary>
    public double[] Gradient { get; }

    /// <summary>The vector v of <see cref="HessianVector"/> (the oracle's <c>vector</c>).</summary>
    public double[] Direction { get; }

    /// <summary>H v.</summary>
    public double[] HessianVector { get; }

    /// <summary>The right-hand side of every solve.</summary>
    public double[] RightHandSide { get; }

    /// <summary>Solutions of <c>(H + eps I) x = RightHandSide</c>, one per epsilon.</summary>
    public IReadOnlyList<ReferenceSolve> Solves { get; }

    /// <summary>The smallest eigenvalue of H (negative in every case: H is indefinite).</summary>
    public double HessianEigenvalueMin { get; }

    /// <summary>The largest eigenvalue of H.</summary>
    public double HessianEigenvalueMax { get; }

    /// <summary>The dense Hessian, present only for small networks.</summary>
    public double[,]? Hessian { get; }

    /// <summary>Reads a case file and builds its network from the standard layers.</summary>
    /// <exception cref="InvalidDataException">The file is not a reference case.</exception>
    public static ReferenceCase Load(string path) => Load(path, StandardLayers.Create);

    /// <summary>Reads a case file and builds its network with <paramref name="createLayer"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a reference case.</exception>
    public static ReferenceCase Load(string path, Func<ReferenceLayerSpec, IHessianLayer> createLayer)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(File.ReadAllText(path), createLayer, path);
    }

    /// <summary>Parses the JSON text of a case and builds its network with <paramref name="createLayer"/>.</summary>
    /// <exception cref="InvalidDataException">The text is not a reference case.</exception>
    public static ReferenceCase Parse(string json, Func<ReferenceLayerSpec, IHessianLayer> createLayer) =>
        Parse(json, createLayer, "the JSON text");

    private static ReferenceCase Parse(string json, Func<ReferenceLayerSpec, IHessianLayer> createLayer, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(createLayer);
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            return new ReferenceCase(document.RootElement, createLayer);
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException(
                $"{source} is not a reference case ({exception.Message}); expected the oracle's JSON format (../shared/oracle/README.md).",
                exception);
        }
    }

    // GetProperty's KeyNotFoundException does not say which key; a missing field should.
    private static JsonElement Required(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out JsonElement value)
            ? value
            : throw new FormatException($"the field '{name}' is missing");

    private static double[] ReadVector(JsonElement parent, string name)
    {
        JsonElement array = Required(parent, name);
        var values = new double[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement value in array.EnumerateArray())
        {
            values[i++] = value.GetDouble();
        }

        return values;
    }

    private static double[,] ReadMatrix(JsonElement rows)
    {
        int rowCount = rows.GetArrayLength();
        int columns = rowCount == 0 ? 0 : rows[0].GetArrayLength();
        var matrix = new double[rowCount, columns];
        int r = 0;
        foreach (JsonElement row in rows.EnumerateArray())
        {
            if (row.GetArrayLength() != columns)
            {
                throw new FormatException($"row {r} has {row.GetArrayLength()} values; expected {columns}.");
            }

            int c = 0;
            foreach (JsonElement value in row.EnumerateArray())
            {
                matrix[r, c++] = value.GetDouble();
            }

            r++;
        }

        return matrix;
    }
}
