using Xunit;

namespace HessianCodegen.Tests;

public sealed class SkeletonTests
{
    [Fact]
    public void LayerDeclarationsRecordTheirSizes()
    {
        Assert.Equal(3, LayerMath.Input(3).Length);
        Assert.Equal(4, LayerMath.Parameter(4, 5).Rows);
    }
}
