using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Helpers;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Emission;

/// <content>Emitting temporaries: sums, max-shifted LogSumExp and hoisted elementwise functions.</content>
internal sealed partial class MethodEmitter
{
    private void EmitTemporary(SourceWriter writer, Temporary temporary)
    {
        var loops = temporary.Extents.Select((extent, k) => new Loop(Temporary.FreeName(k), extent)).ToList();
        WriteTarget target = TemporaryTarget(temporary);
        if (temporary.Definition is not Reduction definition)
        {
            _nests.Emit(writer, new LoopNest(loops, null, temporary.Definition, target, Array.Empty<(IndexRef, IndexRef)>()), overwrite: true);
            return;
        }

        var reduction = new Loop(definition.Index, definition.Range, definition.Hint);
        if (definition.Operation == ReductionKind.Sum)
        {
            _nests.Emit(writer, new LoopNest(loops, reduction, definition.Body, target, Array.Empty<(IndexRef, IndexRef)>()), overwrite: true);
            return;
        }

        // LogSumExp, max-shifted: the terms once into a span, then m + log(sum exp(e - m)). The terms
        // span is declared with the other temporaries (stack when small, else pooled).
        var termExtents = temporary.Extents.Concat(new[] { definition.Range }).ToList();
        var termsTemporary = new Temporary(Local(new LocalPurpose("Terms", SuffixOf: temporary.Name)), definition, termExtents);
        _scratch.Add(termsTemporary);
        string terms = termsTemporary.Name;
        var termLoops = loops.Concat(new[] { reduction }).ToList();
        _nests.Emit(writer, new LoopNest(termLoops, null, definition.Body, TemporaryTarget(termsTemporary, termLoops), Array.Empty<(IndexRef, IndexRef)>()), overwrite: true);
        writer.WriteLine();

        var names = new Dictionary<string, string>();
        var usedLoopNames = new HashSet<string>();
        string flat = "0";
        for (int k = 0; k < loops.Count; k++)
        {
            string name = NestEmitter.LoopName(HintFor(loops[k]), usedLoopNames);
            names[loops[k].Index] = name;
            writer.WriteLine($"for (int {name} = 0; {name} < {Size(loops[k].Range)}; {name}++)");
            writer.WriteLine("{");
            writer.Indentation++;
            flat = k == 0 ? name : $"({flat}) * {Size(loops[k].Range)} + {name}";
        }

        string term = NestEmitter.LoopName(HintFor(reduction), usedLoopNames);
        string row = loops.Count == 0 ? term : $"({flat}) * {Size(definition.Range)} + {term}";
        string max = Local(new LocalPurpose("max"));
        string sum = Local(new LocalPurpose("sumExp"));
        writer.WriteLine($"double {max} = double.NegativeInfinity;");
        writer.WriteLine($"for (int {term} = 0; {term} < {Size(definition.Range)}; {term}++)");
        writer.WriteLine("{");
        writer.WriteLine($"    {max} = global::System.Math.Max({max}, {terms}[{row}]);");
        writer.WriteLine("}");
        writer.WriteLine();
        writer.WriteLine($"double {sum} = 0.0;");
        writer.WriteLine($"for (int {term} = 0; {term} < {Size(definition.Range)}; {term}++)");
        writer.WriteLine("{");
        writer.WriteLine($"    {sum} += global::System.Math.Exp({terms}[{row}] - {max});");
        writer.WriteLine("}");
        writer.WriteLine();
        string store = temporary.IsScalar ? "double " + temporary.Name : $"{temporary.Name}[{flat}]";
        writer.WriteLine($"{store} = {max} + global::System.Math.Log({sum});");
        for (int k = 0; k < loops.Count; k++)
        {
            writer.Indentation--;
            writer.WriteLine("}");
        }
    }

    private WriteTarget TemporaryTarget(Temporary temporary, IReadOnlyList<Loop>? loops = null)
    {
        if (temporary.Extents.Count == 0)
        {
            return WriteTarget.Scalar(temporary.Name);
        }

        loops ??= temporary.Extents.Select((extent, k) => new Loop(Temporary.FreeName(k), extent)).ToList();
        var terms = new List<(IndexRef, string)>();
        for (int k = 0; k < loops.Count; k++)
        {
            string stride = string.Join(" * ", temporary.Extents.Skip(k + 1).Select(Size));
            terms.Add((IndexRef.Loop(loops[k].Index), stride.Length == 0 ? "1" : stride));
        }

        return new WriteTarget(temporary.Name, terms, "0", false);
    }
}
