using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using HessianCodegen.Generator.Diagnostics;
using HessianCodegen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace HessianCodegen.Generator.Tests.Diagnostics;

/// <summary>
/// The README's diagnostics table lists exactly the ids the generator can report, so that the
/// "documented ids" the fuzz test accepts are the ones a user can look up.
/// </summary>
public sealed class DocumentedIdsTests
{
    [Fact]
    public void TheReadmeTableListsEveryDescriptorAndNothingElse()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryPaths.RepositoryRoot, "README.md"));
        string[] documented = Regex.Matches(readme, @"^\| (HCG\d{4}) \|", RegexOptions.Multiline)
            .Select(match => match.Groups[1].Value).Order(StringComparer.Ordinal).ToArray();
        string[] descriptors = typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(field => ((DiagnosticDescriptor)field.GetValue(null)!).Id).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(descriptors, documented);
    }
}
