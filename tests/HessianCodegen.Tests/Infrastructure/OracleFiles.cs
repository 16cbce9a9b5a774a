using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Xunit;

namespace HessianCodegen.Tests.Infrastructure;

/// <summary>
/// Where the PyTorch reference cases are: <c>../shared/oracle</c> beside the checkout when present
/// (the answer key as published), else the copy in this project's <c>Oracle</c> folder.
/// </summary>
public static class OracleFiles
{
    public static string Directory { get; } = Locate();

    /// <summary>The case names, as xUnit theory data.</summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (string name in Paths().Select(Path.GetFileNameWithoutExtension).OfType<string>())
        {
            data.Add(name);
        }

        return data;
    }

    /// <summary>The names of the cases small enough to carry the dense Hessian.</summary>
    public static TheoryData<string> NamesWithHessian()
    {
        var data = new TheoryData<string>();
        foreach (string path in Paths().Where(path => File.ReadAllText(path).Contains("\"hessian\":", StringComparison.Ordinal)))
        {
            data.Add(Path.GetFileNameWithoutExtension(path));
        }

        return data;
    }

    public static IEnumerable<string> Paths() =>
        System.IO.Directory.EnumerateFiles(Directory, "*.json").Order(StringComparer.Ordinal);

    public static string PathOf(string name) => Path.Combine(Directory, name + ".json");

    private static string Locate()
    {
        string? root = typeof(OracleFiles).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        if (root is not null)
        {
            string shared = Path.GetFullPath(Path.Combine(root, "..", "shared", "oracle"));
            if (System.IO.Directory.Exists(shared) && System.IO.Directory.EnumerateFiles(shared, "*.json").Any())
            {
                return shared;
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "Oracle");
    }
}
