using System;
using System.Collections;
using System.Collections.Generic;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace HessianCodegen.Generator.Tests.Infrastructure;

/// <summary>
/// Walks an object graph (fields of every type up the hierarchy, and the items of every
/// collection) and lists each place that holds compiler state: an <see cref="ISymbol"/>,
/// <see cref="SyntaxNode"/>, <see cref="SyntaxTree"/>, <see cref="Compilation"/>,
/// <see cref="SemanticModel"/> or <see cref="Location"/>. A pipeline model holding one of them
/// is never equal across runs (and keeps whole compilations alive), which defeats caching.
/// </summary>
/// <remarks>
/// Fields rather than properties: fields are what an object holds (auto-properties included, via
/// their backing fields), while a computed property may allocate or throw.
/// </remarks>
internal static class ForbiddenStateWalker
{
    private static readonly Type[] ForbiddenTypes =
        [typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Compilation), typeof(SemanticModel), typeof(Location)];

    /// <summary>A path from <paramref name="root"/> (named <paramref name="rootName"/>) to each forbidden object found.</summary>
    public static IReadOnlyList<string> FindForbiddenState(object? root, string rootName)
    {
        var found = new List<string>();
        Walk(root, rootName, new HashSet<object>(ReferenceEqualityComparer.Instance), found);
        return found;
    }

    private static void Walk(object? value, string path, HashSet<object> visited, List<string> found)
    {
        if (value is null || IsPlainValue(value.GetType()))
        {
            return;
        }

        // Each object once, however many paths lead to it (a collection is reached as items and as fields).
        Type type = value.GetType();
        if (!type.IsValueType && !visited.Add(value))
        {
            return;
        }

        if (Array.Exists(ForbiddenTypes, forbidden => forbidden.IsAssignableFrom(type)))
        {
            found.Add($"{path}: {type.FullName}");
            return;
        }

        if (value is IEnumerable items)
        {
            int index = 0;
            foreach (object? item in items)
            {
                Walk(item, $"{path}[{index++}]", visited, found);
            }
        }

        for (Type? declaring = type; declaring is not null; declaring = declaring.BaseType)
        {
            foreach (var field in declaring.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (!field.FieldType.IsPointer && !field.FieldType.IsByRefLike)
                {
                    Walk(field.GetValue(value), $"{path}.{field.Name}", visited, found);
                }
            }
        }
    }

    // Leaves that cannot hold compiler state; reflection objects are leaves so the walk stays in the model.
    private static bool IsPlainValue(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
        || typeof(MemberInfo).IsAssignableFrom(type);
}
