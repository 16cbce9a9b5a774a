using System;
using Xunit;

namespace HessianCodegen.Tests;

/// <summary><see cref="BoundedPool{T}"/> keeps what is given back, up to one set per processor and no more.</summary>
public sealed class BoundedPoolTests
{
    [Fact]
    public void KeepsAtMostOneSetPerProcessor()
    {
        var pool = new BoundedPool<object>();
        for (int k = 0; k < Environment.ProcessorCount + 3; k++)
        {
            pool.Return(new object());
        }

        int kept = 0;
        while (pool.TryRent(out _))
        {
            kept++;
        }

        Assert.Equal(Environment.ProcessorCount, kept);
    }

    [Fact]
    public void GivesBackWhatItKept()
    {
        var pool = new BoundedPool<object>();
        Assert.False(pool.TryRent(out _));
        var item = new object();
        pool.Return(item);
        Assert.True(pool.TryRent(out object? rented));
        Assert.Same(item, rented);
        Assert.False(pool.TryRent(out _));
    }
}
