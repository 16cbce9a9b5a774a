using Xunit;

namespace HessianCodegen.Tests;

/// <summary>
/// What a <see cref="LayerWorkspace"/> promises a layer: a buffer written by one call is read back by the
/// next, and only a workspace at one point says it holds values a layer may reuse instead of computing.
/// </summary>
public sealed class LayerWorkspaceTests
{
    [Fact]
    public void Only_a_workspace_at_one_point_holds_what_an_earlier_call_wrote()
    {
        var plain = new LayerWorkspace();
        plain.Buffer("slopes", 3)[1] = 2.0;
        Assert.False(plain.IsAtOnePoint);
        Assert.False(plain.Holds("slopes", 3));
        Assert.Equal(2.0, plain.Kept("slopes", 3)[1]);

        LayerWorkspace atOnePoint = LayerWorkspace.AtOnePoint();
        Assert.True(atOnePoint.IsAtOnePoint);
        Assert.False(atOnePoint.Holds("slopes", 3));
        atOnePoint.Buffer("slopes", 3)[1] = 2.0;
        Assert.True(atOnePoint.Holds("slopes", 3));
        Assert.False(atOnePoint.Holds("slopes", 4));
        Assert.False(atOnePoint.Holds("curvatures", 3));
        Assert.Equal(2.0, atOnePoint.Kept("slopes", 3)[1]);
    }
}
