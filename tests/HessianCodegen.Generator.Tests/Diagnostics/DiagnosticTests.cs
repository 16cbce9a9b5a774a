using Xunit;
using static HessianCodegen.Generator.Tests.Diagnostics.DiagnosticAssert;

namespace HessianCodegen.Generator.Tests.Diagnostics;

/// <summary>One test per diagnostic id: the id, and the exact span of the syntax it blames.</summary>
public sealed class DiagnosticTests
{
    [Fact]
    public void HCG0001_ClassNotPartial() => Reports("HCG0001", Layer(
        "    private double Output(int i) => Tanh(Sum(j => W[i, j] * z[j]) + c[i]);",
        "public sealed class [|Probe|](int inputs, int outputs)"));

    [Fact]
    public void HCG0002_UnsupportedFunction() => Reports("HCG0002", Layer(
        "    private double Output(int i) => [|System.Math.Abs(Sum(j => W[i, j] * z[j]))|] + c[i];"));

    [Fact]
    public void HCG0003_StatementsInMath() => Reports("HCG0003", Layer(
        "    private double Output(int i) [|{ return Sum(j => W[i, j] * z[j]) + c[i]; }|]"));

    [Fact]
    public void HCG0004_CallToUserCode() => Reports("HCG0004", Layer("""
            private static double Twice(double x) => 2.0 * x;
            private double Output(int i) => [|Twice(c[i])|] + Sum(j => W[i, j] * z[j]);
        """));

    [Fact]
    public void HCG0005_WrongIndexRank() => Reports("HCG0005", Layer(
        "    private double Output(int i) => Sum(j => W[i, j] * z[j]) + [|W[i]|];"));

    [Fact]
    public void HCG0005_SubscriptThatIsNotAnIndex() => Reports("HCG0005", Layer(
        "    private double Output(int i) => Sum(j => W[i, j] * z[j]) + c[[|i + 1|]];"));

    [Fact]
    public void HCG0005_SizeUsedAsSubscript() => Reports("HCG0005", Layer(
        "    private double Output(int i) => Sum(j => W[i, j] * z[j]) + c[[|outputs|]];"),
        "The size 'outputs' is a number, not an index", "Sum(k => ...[k])");

    [Fact]
    public void HCG0006_IndexRangeCannotBeInferred() => Reports("HCG0006", Layer(
        "    private double Output(int i) => Sum([|j|] => c[i]);"));

    [Fact]
    public void HCG0007_LabelUsedAsValue() => Reports("HCG0007", Layer("""
            private readonly Label label = ClassLabel(outputs);
            private double Loss() => Sum(k => Sum(j => W[k, j] * z[j]) + c[k]) * [|label|];
        """));

    [Fact]
    public void HCG0008_MissingOutput() => Reports("HCG0008", Layer(
        "    private double Helper(int i) => c[i];",
        "public sealed partial class [|Probe|](int inputs, int outputs)"));

    [Fact]
    public void HCG0009_NonDoubleType() => Reports("HCG0009", Layer(
        "    private [|float|] Output(int i) => 0f;"));

    [Fact]
    public void HCG0009_SizesMultipliedAsIntegers() => Reports("HCG0009", Layer(
        "    private double Output(int i) => (Sum(j => W[i, j] * z[j]) + c[i]) / ([|inputs * outputs|]);"),
        "has type 'int'", "(double)inputs * outputs");

    [Fact]
    public void HCG0010_InvalidTensorDeclaration() => Reports("HCG0010", Layer("""
            private readonly Vector extra = Parameter([|inputs + 1|]);
            private double Output(int i) => Sum(j => W[i, j] * z[j]) + c[i];
        """));

    [Fact]
    public void HCG0011_NonConstantExponent() => Reports("HCG0011", Layer(
        "    private double Output(int i) => Pow(Sum(j => W[i, j] * z[j]), [|c[i]|]);"));

    [Fact]
    public void HCG0012_ConflictingIndexRanges() => Reports("HCG0012", Layer(
        "    private double Output(int i) => Sum(j => W[i, j] * c[[|j|]]);"));

    [Fact]
    public void HCG0013_DataInHiddenLayer() => Reports("HCG0013", Layer("""
            private readonly Vector [|target|] = Target(outputs);
            private double Output(int i) => Sum(j => W[i, j] * z[j]) + c[i];
        """));

    [Fact]
    public void HCG0014_UnsupportedExpression() => Reports("HCG0014", Layer(
        "    private double Output(int i) => Sum(j => W[i, j] * z[j]) + ([|c[i] > 0.0 ? c[i] : 0.0|]);"));

    [Fact]
    public void HCG0014_CastToInt() => Reports("HCG0014", Layer(
        "    private double Output(int i) => Sum(j => W[i, j] * z[j]) + [|(int)c[i]|];"));

    [Fact]
    public void HCG0016_FieldThatIsNotConst() => Reports("HCG0016", Layer("""
            private readonly double scale = 2.0;
            private double Output(int i) => [|scale|] * (Sum(j => W[i, j] * z[j]) + c[i]);
        """), "'scale' is a field that is not const", "private const double scale = ...;");

    [Fact]
    public void HCG0016_SizeThatNoTensorDeclares() => Reports("HCG0016", Layer(
        "    private double Output(int i) => (Sum(j => W[i, j] * z[j]) + c[i]) / [|width|];",
        "public sealed partial class Probe(int inputs, int outputs, int width)"),
        "'width' is a size that no tensor is declared with", "Parameter(width)");

    [Fact]
    public void HCG0016_Property() => Reports("HCG0016", Layer("""
            private static double Scale => 2.0;
            private double Output(int i) => [|Scale|] * (Sum(j => W[i, j] * z[j]) + c[i]);
        """), "'Scale' is a property", "const double");

    [Fact]
    public void HCG0015_NestedLayer() => Reports("HCG0015", """
        using HessianCodegen;
        using static HessianCodegen.LayerMath;

        namespace Samples;

        public static partial class Outer
        {
            [HessianLayer]
            public sealed partial class [|Probe|](int inputs, int outputs)
            {
                private readonly Vector z = Input(inputs);
                private readonly Vector c = Parameter(outputs);
                private double Output(int i) => c[i] * z[0];
            }
        }
        """);

    [Fact]
    public void HCG0015_GenericLayer() => Reports("HCG0015", Layer(
        "    private double Output(int i) => Sum(j => W[i, j] * z[j]) + c[i];",
        "public sealed partial class [|Probe|]<T>(int inputs, int outputs)"));
}
