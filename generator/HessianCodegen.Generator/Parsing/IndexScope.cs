using System.Collections.Generic;
using HessianCodegen.Generator.Symbolic;
using Microsoft.CodeAnalysis;

namespace HessianCodegen.Generator.Parsing;

/// <summary>
/// An index variable of the layer math (the output index or a Sum/LogSumExp lambda parameter):
/// its IR name and the range inferred from the tensors it subscripts.
/// </summary>
internal sealed class IndexVariable
{
    public IndexVariable(string userName, string irName, SyntaxToken declaration)
    {
        UserName = userName;
        IrName = irName;
        Declaration = declaration;
    }

    public string UserName { get; }

    public string IrName { get; }

    public SyntaxToken Declaration { get; }

    /// <summary>The range, once a subscript has fixed it.</summary>
    public Extent? Range { get; set; }
}

/// <summary>The index variables in scope while parsing nested lambdas, innermost last.</summary>
internal sealed class IndexScope
{
    private readonly List<IndexVariable> _variables = new();
    private int _counter;

    public IndexVariable Push(string userName, SyntaxToken declaration, string? irName = null)
    {
        var variable = new IndexVariable(userName, irName ?? "u" + (++_counter).ToString(System.Globalization.CultureInfo.InvariantCulture), declaration);
        _variables.Add(variable);
        return variable;
    }

    public void Pop() => _variables.RemoveAt(_variables.Count - 1);

    public IndexVariable? Find(string userName)
    {
        for (int k = _variables.Count - 1; k >= 0; k--)
        {
            if (_variables[k].UserName == userName)
            {
                return _variables[k];
            }
        }

        return null;
    }
}
