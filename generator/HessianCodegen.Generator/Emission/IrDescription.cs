using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Emission;

/// <summary>
/// IR written back in the layer language, for the comments above emitted loops:
/// <c>sum[i] = Sum(j =&gt; W[i, j] * z[j])</c>. Only for reading; the emitted code comes from
/// <see cref="CodeBuilder"/>.
/// </summary>
internal static class IrDescription
{
    /// <summary>The node in the layer language; <paramref name="describe"/> names each tensor (t, vW, b, or its own name).</summary>
    public static string Of(Node node, IReadOnlyDictionary<string, string> names, System.Func<TensorRef, string> describe) =>
        Write(node, names.ToDictionary(pair => pair.Key, pair => pair.Value), 0, describe);

    private static string Write(Node node, Dictionary<string, string> names, int context, System.Func<TensorRef, string> describe)
    {
        switch (node)
        {
            case Constant constant:
                return constant.Value.ToString("R", CultureInfo.InvariantCulture);
            case SizeValue size:
                return size.Extent.ToString();
            case TensorElement element:
                string name = describe(element.Tensor);
                return element.Indices.Count == 0 ? name : name + "[" + string.Join(", ", element.Indices.Select(index => Name(index, names))) + "]";
            case FunctionCall call:
                return (Functions.ElementaryFunctions.Of(call.Function).Name ?? call.Function.ToString()) + "(" + Write(call.Argument, names, 0, describe) + ")";
            case Power power:
                return power.Exponent == 2.0 ? "Square(" + Write(power.Base, names, 0, describe) + ")"
                    : power.Exponent == -1.0 ? Parenthesize("1 / " + Write(power.Base, names, 3, describe), context > 1)
                    : "Pow(" + Write(power.Base, names, 0, describe) + ", " + power.Exponent.ToString("R", CultureInfo.InvariantCulture) + ")";
            case Intermediate intermediate:
                return Write(intermediate.Value, names, context, describe);
            case Multiply product:
                return Parenthesize(string.Join(" * ", product.Factors.Select(factor => Write(factor, names, 2, describe))), context > 2);
            case Add sum:
                return Parenthesize(string.Join(" + ", sum.Terms.Select(term => Write(term, names, 1, describe))), context > 1);
            case Reduction reduction:
                string bound = reduction.Hint is not null && !names.ContainsValue(reduction.Hint) ? reduction.Hint : Fresh(names);
                names[reduction.Index] = bound;
                string body = Write(reduction.Body, names, 0, describe);
                names.Remove(reduction.Index);
                return reduction.Operation + "(" + bound + " => " + body + ")";
            default:
                return node.ToString();
        }
    }

    private static string Name(IndexRef index, Dictionary<string, string> names) =>
        !index.IsLabel && names.TryGetValue(index.Name, out string? name) ? name : index.Name;

    private static string Fresh(Dictionary<string, string> names) =>
        NestEmitter.LoopNames.First(candidate => !names.ContainsValue(candidate));

    private static string Parenthesize(string text, bool needed) => needed ? "(" + text + ")" : text;
}
