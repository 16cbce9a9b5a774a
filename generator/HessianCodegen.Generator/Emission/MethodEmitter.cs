using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Helpers;
using HessianCodegen.Generator.Model;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Emission;

/// <summary>
/// Builds the body of one generated method: the kernels it is given (an IR value per element of an
/// output, over free indices) become loop nests; the reductions inside them become temporaries
/// computed first; the locals the code reads (sizes, spans, labels, offsets) are declared on demand.
/// </summary>
internal sealed partial class MethodEmitter
{
    private const int StackallocLimit = 128;

    private readonly LayerModel _layer;
    private readonly Dictionary<string, string> _sizeNames = new();
    private readonly Dictionary<TensorRef, string> _spanNames = new();
    private readonly Dictionary<string, string> _labelNames = new();
    private readonly Dictionary<string, string> _offsetNames = new();
    private readonly HashSet<string> _used = new();
    private readonly List<string> _requirements = new();
    private readonly Dictionary<Node, Temporary> _temporaries = new();
    private readonly List<Temporary> _temporaryOrder = new();
    private readonly List<PlannedNest> _planned = new();
    private readonly string _parameterCountName;
    private readonly NestEmitter _nests;

    public MethodEmitter(LayerModel layer, IEnumerable<string> methodParameters)
    {
        _layer = layer;
        Names = new NameScope(methodParameters.Concat(NestEmitter.LoopNames).Concat(layer.Tensors.Select(t => "__" + t.Name)));
        foreach (string size in layer.SizeParameters)
        {
            _sizeNames[size] = Names.Claim(size);
        }

        foreach (TensorDeclaration tensor in layer.Tensors)
        {
            if (tensor.Kind == TensorKind.ClassLabel)
            {
                _labelNames[tensor.Name] = Names.Claim(tensor.Name);
                continue;
            }

            TensorRef reference = tensor.ToTensorRef();
            _spanNames[reference] = Names.Claim(tensor.Name);
            if (tensor.Kind == TensorKind.Input)
            {
                _spanNames[reference.WithRole(TensorRole.InputTangent)] = Names.Claim("d" + tensor.Name);
            }
            else if (tensor.Kind == TensorKind.Parameter)
            {
                _spanNames[reference.WithRole(TensorRole.ParameterDirection)] = Names.Claim("d" + tensor.Name);
                _offsetNames[tensor.Name] = Names.Claim(tensor.Name + "Offset");
            }
        }

        AdjointName = Names.Claim("b");
        _parameterCountName = Names.Claim("parameterCount");
        _nests = new NestEmitter(this);
    }

    public NameScope Names { get; }

    private string AdjointName { get; }

    /// <summary>The C# for an extent: a size local (declared on first use) or a literal.</summary>
    public string Size(Extent extent)
    {
        if (extent.Parameter is null)
        {
            return CodeLiterals.Int(extent.Literal);
        }

        _used.Add("size:" + extent.Parameter);
        return _sizeNames[extent.Parameter];
    }

    /// <summary>The local holding the layer's parameter count (<c>p</c>).</summary>
    public string ParameterCount()
    {
        foreach (TensorDeclaration parameter in _layer.Parameters)
        {
            Length(parameter);
        }

        _used.Add("parameterCount");
        return _parameterCountName;
    }

    /// <summary>The offset of a parameter tensor in the flat parameter vector, as C#.</summary>
    public string ParameterOffset(TensorDeclaration parameter)
    {
        if (_layer.Parameters.First().Name == parameter.Name)
        {
            return "0";
        }

        foreach (TensorDeclaration earlier in _layer.Parameters.TakeWhile(p => p.Name != parameter.Name))
        {
            Length(earlier);
        }

        _used.Add("offset:" + parameter.Name);
        return _offsetNames[parameter.Name];
    }

    /// <summary>The number of entries of a tensor, as C# (a product of sizes).</summary>
    public string Length(TensorDeclaration tensor) => string.Join(" * ", tensor.Dimensions.Select(Size));

    public string Label(string name)
    {
        _used.Add("label:" + name);
        return _labelNames[name];
    }

    /// <summary>A check at the top of the method that a span argument has the length the contract requires.</summary>
    public void Require(string span, string expectedLength) =>
        _requirements.Add($"RequireLength({span}.Length, {expectedLength}, nameof({span}));");

    /// <summary>The C# that reads one tensor element.</summary>
    public string ElementCode(TensorElement element, Func<IndexRef, string> indexName)
    {
        TensorRef tensor = element.Tensor;
        string span = SpanName(tensor);
        if (tensor.Rank == 0)
        {
            return span;
        }

        if (tensor.Rank > 2)
        {
            throw new InvalidOperationException($"A temporary over {tensor.Rank} indices is not supported.");
        }

        if (tensor.Rank == 1)
        {
            return span + "[" + indexName(element.Indices[0]) + "]";
        }

        return span + "[" + indexName(element.Indices[0]) + " * " + Size(tensor.Dimensions[1]) + " + " + indexName(element.Indices[1]) + "]";
    }

    /// <summary>
    /// Adds <c>target = value</c> (or <c>+=</c> when not <paramref name="overwrite"/>) for every value of
    /// the free loops. Deltas between free indices bind one loop to another (or to a label), so only
    /// the entries that can be non-zero are visited.
    /// </summary>
    public void AddKernel(WriteTarget target, IReadOnlyList<Loop> freeLoops, Node value, bool overwrite)
    {
        var nests = new List<LoopNest>();
        bool restricted = false;
        foreach ((Node deltas, Node body) in GroupByDeltas(value))
        {
            (Dictionary<string, IndexRef> bindings, List<(IndexRef, IndexRef)> conditions) = Resolve(deltas, freeLoops);
            restricted |= bindings.Count > 0 || conditions.Count > 0;
            Node bound = bindings.Aggregate(body, (node, binding) => IndexSubstitution.Substitute(node, binding.Key, binding.Value));
            List<Loop> loops = freeLoops.Where(loop => !bindings.ContainsKey(loop.Index)).ToList();
            (Loop? reduction, Node inner) = ExtractTopReduction(bound);
            var extents = loops.ToDictionary(loop => loop.Index, loop => loop.Range);
            if (reduction is not null)
            {
                extents[reduction.Index] = reduction.Range;
            }

            Node replaced = ReplaceReductions(inner, extents);
            nests.Add(new LoopNest(loops, reduction, replaced, target.Substitute(bindings), conditions));
        }

        if (overwrite && nests.Count == 1 && !restricted)
        {
            _planned.Add(new PlannedNest(nests[0], Overwrite: true, Clear: null));
            return;
        }

        if (overwrite)
        {
            _planned.Add(new PlannedNest(null, Overwrite: false, Clear: target.Span));
        }

        foreach (LoopNest nest in nests)
        {
            _planned.Add(new PlannedNest(nest, Overwrite: false, Clear: null));
        }
    }

    /// <summary>The complete method body, at indentation 0.</summary>
    public SourceWriter Build()
    {
        ReuseTemporariesAtLabels();
        HoistElementwiseFunctions();
        var body = new SourceWriter();
        foreach (Temporary temporary in DependencyOrder(_temporaryOrder))
        {
            EmitTemporary(body, temporary);
            body.WriteLine();
        }

        foreach (PlannedNest planned in _planned)
        {
            if (planned.Nest is null)
            {
                body.WriteLine(planned.Clear + ".Clear();");
            }
            else
            {
                _nests.Emit(body, planned.Nest, planned.Overwrite);
                body.WriteLine();
            }
        }

        // Declarations last: only now is it known what the body reads.
        var rented = _temporaryOrder.Where(t => !t.IsScalar).ToList();
        var header = new SourceWriter();
        var declarations = new SourceWriter();
        foreach (TensorDeclaration tensor in _layer.Tensors)
        {
            if (tensor.Kind != TensorKind.ClassLabel && _used.Contains("span:" + _spanNames[tensor.ToTensorRef()]))
            {
                declarations.WriteLine($"global::System.ReadOnlySpan<double> {_spanNames[tensor.ToTensorRef()]} = {SpanSource(tensor, TensorRole.Input)};");
            }
        }

        foreach (TensorDeclaration tensor in _layer.Tensors.Where(t => t.Kind is TensorKind.Input or TensorKind.Parameter))
        {
            TensorRole role = tensor.Kind == TensorKind.Input ? TensorRole.InputTangent : TensorRole.ParameterDirection;
            string name = _spanNames[tensor.ToTensorRef().WithRole(role)];
            if (_used.Contains("span:" + name))
            {
                declarations.WriteLine($"global::System.ReadOnlySpan<double> {name} = {SpanSource(tensor, role)};");
            }
        }

        if (_used.Contains("span:" + AdjointName))
        {
            declarations.WriteLine(_layer.IsLoss
                ? $"double {AdjointName} = outputAdjoint[0];"
                : $"global::System.ReadOnlySpan<double> {AdjointName} = outputAdjoint;");
        }

        foreach (TensorDeclaration data in _layer.Data)
        {
            if (data.Kind == TensorKind.ClassLabel && _used.Contains("label:" + data.Name))
            {
                declarations.WriteLine($"int {_labelNames[data.Name]} = ReadLabel(data[{DataOffset(data)}], {Size(data.Dimensions[0])}, \"{data.Name}\");");
            }
        }

        foreach (Temporary temporary in rented)
        {
            string length = string.Join(" * ", temporary.Extents.Select(Size));
            declarations.WriteLine($"double[]? {temporary.Name}Rented = null;");
            declarations.WriteLine($"global::System.Span<double> {temporary.Name} = {length} <= {StackallocLimit}");
            declarations.WriteLine($"    ? stackalloc double[{length}]");
            declarations.WriteLine($"    : new global::System.Span<double>({temporary.Name}Rented = global::System.Buffers.ArrayPool<double>.Shared.Rent({length}), 0, {length});");
        }

        // Offsets and the parameter count read sizes: resolve them before the size declarations are written.
        var offsets = new SourceWriter();
        if (_used.Contains("parameterCount"))
        {
            string count = string.Join(" + ", _layer.Parameters.Select(Length));
            offsets.WriteLine($"int {_parameterCountName} = {(count.Length == 0 ? "0" : count)};");
        }

        foreach (TensorDeclaration parameter in _layer.Parameters.Where(p => _used.Contains("offset:" + p.Name)))
        {
            string sum = string.Join(" + ", _layer.Parameters.TakeWhile(p => p.Name != parameter.Name).Select(Length));
            offsets.WriteLine($"int {_offsetNames[parameter.Name]} = {sum};");
        }

        foreach (string size in _layer.SizeParameters.Where(s => _used.Contains("size:" + s)))
        {
            header.WriteLine($"int {_sizeNames[size]} = {LayerEmitter.SizeSource(_layer, Extent.Of(size))};");
        }

        header.WriteIndented(offsets);
        foreach (string requirement in _requirements)
        {
            header.WriteLine(requirement);
        }

        header.WriteIndented(declarations);
        header.WriteLine();
        if (rented.Count == 0)
        {
            header.WriteIndented(body);
            return header;
        }

        header.WriteLine("try");
        header.WriteLine("{");
        header.Indentation++;
        header.WriteIndented(body);
        header.Indentation--;
        header.WriteLine("}");
        header.WriteLine("finally");
        header.WriteLine("{");
        header.Indentation++;
        foreach (Temporary temporary in rented)
        {
            if (temporary != rented[0])
            {
                header.WriteLine();
            }

            header.WriteLine($"if ({temporary.Name}Rented is not null)");
            header.WriteLine("{");
            header.WriteLine($"    global::System.Buffers.ArrayPool<double>.Shared.Return({temporary.Name}Rented);");
            header.WriteLine("}");
        }

        header.Indentation--;
        header.WriteLine("}");
        return header;
    }

    private string SpanName(TensorRef tensor)
    {
        if (tensor.Role == TensorRole.Temporary)
        {
            return tensor.Name;
        }

        string name = tensor.Role == TensorRole.OutputAdjoint ? AdjointName : _spanNames[tensor];
        _used.Add("span:" + name);
        if (tensor.Role is TensorRole.Parameter or TensorRole.ParameterDirection)
        {
            TensorDeclaration declaration = _layer.Parameters.First(p => p.Name == tensor.Name);
            ParameterOffset(declaration);
            Length(declaration);
        }
        else if (tensor.Role == TensorRole.Target)
        {
            TensorDeclaration declaration = _layer.Data.First(p => p.Name == tensor.Name);
            Length(declaration);
        }

        return name;
    }

    private string SpanSource(TensorDeclaration tensor, TensorRole role)
    {
        switch (tensor.Kind)
        {
            case TensorKind.Input:
                return role == TensorRole.InputTangent ? "inputTangent" : "input";
            case TensorKind.Parameter:
                string source = role == TensorRole.ParameterDirection ? "parameterDirection" : "parameters";
                return $"{source}.Slice({ParameterOffset(tensor)}, {Length(tensor)})";
            default:
                return $"data.Slice({DataOffset(tensor)}, {Length(tensor)})";
        }
    }

    /// <summary>Where a data field starts in the data span: after the fields declared before it.</summary>
    private string DataOffset(TensorDeclaration field)
    {
        int labels = 0;
        var widths = new List<string>();
        foreach (TensorDeclaration earlier in _layer.Data.TakeWhile(d => d.Name != field.Name))
        {
            if (earlier.Kind == TensorKind.ClassLabel)
            {
                labels++;
            }
            else
            {
                widths.Add(Length(earlier));
            }
        }

        if (labels > 0 || widths.Count == 0)
        {
            widths.Insert(0, CodeLiterals.Int(labels));
        }

        return string.Join(" + ", widths);
    }

    private void EmitTemporary(SourceWriter writer, Temporary temporary)
    {
        var loops = temporary.Extents.Select((extent, k) => new Loop(Temporary.FreeName(k), extent)).ToList();
        WriteTarget target = TemporaryTarget(temporary);
        if (temporary.Definition is not Reduction definition)
        {
            _nests.Emit(writer, new LoopNest(loops, null, temporary.Definition, target, Array.Empty<(IndexRef, IndexRef)>()), overwrite: true);
            return;
        }

        var reduction = new Loop(definition.Index, definition.Range);
        if (definition.Operation == ReductionKind.Sum)
        {
            _nests.Emit(writer, new LoopNest(loops, reduction, definition.Body, target, Array.Empty<(IndexRef, IndexRef)>()), overwrite: true);
            return;
        }

        // LogSumExp, max-shifted: the terms once into a span, then m + log(sum exp(e - m)).
        var termExtents = temporary.Extents.Concat(new[] { definition.Range }).ToList();
        string terms = Names.Claim(temporary.Name + "Terms");
        var termsTemporary = new Temporary(terms, definition, termExtents);
        string length = string.Join(" * ", termExtents.Select(Size));
        if (temporary.IsScalar)
        {
            writer.WriteLine($"double {temporary.Name};");
        }

        writer.WriteLine($"double[]? {terms}Rented = null;");
        writer.WriteLine("try");
        writer.WriteLine("{");
        writer.Indentation++;
        writer.WriteLine($"global::System.Span<double> {terms} = new global::System.Span<double>({terms}Rented = global::System.Buffers.ArrayPool<double>.Shared.Rent({length}), 0, {length});");
        var termLoops = loops.Concat(new[] { reduction }).ToList();
        _nests.Emit(writer, new LoopNest(termLoops, null, definition.Body, TemporaryTarget(termsTemporary, termLoops), Array.Empty<(IndexRef, IndexRef)>()), overwrite: true);
        writer.WriteLine();

        var names = new Dictionary<string, string>();
        string flat = "0";
        for (int k = 0; k < loops.Count; k++)
        {
            string name = NestEmitter.LoopNames[k];
            names[loops[k].Index] = name;
            writer.WriteLine($"for (int {name} = 0; {name} < {Size(loops[k].Range)}; {name}++)");
            writer.WriteLine("{");
            writer.Indentation++;
            flat = k == 0 ? name : $"({flat}) * {Size(loops[k].Range)} + {name}";
        }

        string term = NestEmitter.LoopNames[loops.Count];
        string row = loops.Count == 0 ? term : $"({flat}) * {Size(definition.Range)} + {term}";
        string max = Names.Claim("max");
        string sum = Names.Claim("sumExp");
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
        string store = temporary.IsScalar ? temporary.Name : $"{temporary.Name}[{flat}]";
        writer.WriteLine($"{store} = {max} + global::System.Math.Log({sum});");
        for (int k = 0; k < loops.Count; k++)
        {
            writer.Indentation--;
            writer.WriteLine("}");
        }

        writer.Indentation--;
        writer.WriteLine("}");
        writer.WriteLine("finally");
        writer.WriteLine("{");
        writer.WriteLine($"    global::System.Buffers.ArrayPool<double>.Shared.Return({terms}Rented!);");
        writer.WriteLine("}");
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

    private static IEnumerable<(Node Deltas, Node Body)> GroupByDeltas(Node value)
    {
        if (value is Constant { Value: 0.0 })
        {
            yield break;
        }

        if (!value.HasDelta)
        {
            yield return (Expr.One, value);
            yield break;
        }

        var groups = new Dictionary<Node, List<Node>>();
        var order = new List<Node>();
        foreach (Node term in DeltaElimination.ExpandDeltas(value))
        {
            IReadOnlyList<Node> factors = term is Multiply product ? product.Factors : new[] { term };
            Node deltas = Expr.Multiply(factors.Where(f => f is KroneckerDelta));
            if (!groups.TryGetValue(deltas, out List<Node>? members))
            {
                groups[deltas] = members = new List<Node>();
                order.Add(deltas);
            }

            members.Add(Expr.Multiply(factors.Where(f => f is not KroneckerDelta)));
        }

        foreach (Node deltas in order)
        {
            Node body = Expr.Add(groups[deltas]);
            if (body is not Constant { Value: 0.0 })
            {
                yield return (deltas, body);
            }
        }
    }

    /// <summary>
    /// Turns the deltas of a term into loop bindings: indices a delta joins share one loop (the
    /// first free loop of their class), or take a label's value; two labels become a condition.
    /// </summary>
    private static (Dictionary<string, IndexRef> Bindings, List<(IndexRef, IndexRef)> Conditions) Resolve(Node deltas, IReadOnlyList<Loop> freeLoops)
    {
        var bindings = new Dictionary<string, IndexRef>();
        var conditions = new List<(IndexRef, IndexRef)>();
        IReadOnlyList<Node> factors = deltas is Multiply product ? product.Factors : new[] { deltas };
        var classes = new List<List<IndexRef>>();
        foreach (KroneckerDelta delta in factors.OfType<KroneckerDelta>())
        {
            List<IndexRef>? first = classes.FirstOrDefault(c => c.Contains(delta.First));
            List<IndexRef>? second = classes.FirstOrDefault(c => c.Contains(delta.Second));
            if (first is null && second is null)
            {
                classes.Add(new List<IndexRef> { delta.First, delta.Second });
            }
            else if (first is null)
            {
                second!.Add(delta.First);
            }
            else if (second is null)
            {
                first.Add(delta.Second);
            }
            else if (!ReferenceEquals(first, second))
            {
                first.AddRange(second);
                classes.Remove(second);
            }
        }

        var loopOrder = freeLoops.Select(l => l.Index).ToList();
        foreach (List<IndexRef> members in classes)
        {
            foreach (IndexRef member in members.Where(m => !m.IsLabel && !loopOrder.Contains(m.Name)))
            {
                throw new InvalidOperationException($"The delta index '{member.Name}' is neither summed nor free.");
            }

            List<IndexRef> labels = members.Where(m => m.IsLabel).ToList();
            IndexRef representative = labels.Count > 0
                ? labels[0]
                : members.OrderBy(m => loopOrder.IndexOf(m.Name)).First();
            foreach (IndexRef label in labels.Skip(1))
            {
                conditions.Add((representative, label));
            }

            foreach (IndexRef member in members.Where(m => !m.IsLabel && !m.Equals(representative)))
            {
                bindings[member.Name] = representative;
            }
        }

        return (bindings, conditions);
    }

    /// <summary>A sum at the top of a term (possibly times loop-invariant factors) runs inside the nest itself.</summary>
    private static (Loop? Reduction, Node Inner) ExtractTopReduction(Node value)
    {
        if (value is Reduction { Operation: ReductionKind.Sum } sum)
        {
            return (new Loop(sum.Index, sum.Range), sum.Body);
        }

        if (value is Multiply product)
        {
            List<Reduction> sums = product.Factors.OfType<Reduction>().Where(r => r.Operation == ReductionKind.Sum).ToList();
            if (sums.Count == 1)
            {
                Reduction only = sums[0];
                Node rest = Expr.Multiply(product.Factors.Where(f => !ReferenceEquals(f, only)).Concat(new[] { only.Body }));
                return (new Loop(only.Index, only.Range), rest);
            }
        }

        return (null, value);
    }

    /// <summary>Replaces every reduction by a read of its temporary, registering temporaries inner first.</summary>
    private Node ReplaceReductions(Node node, Dictionary<string, Extent> extents)
    {
        if (node.BinderDepth == 0)
        {
            return node;
        }

        switch (node)
        {
            case Reduction reduction:
                var inner = new Dictionary<string, Extent>(extents) { [reduction.Index] = reduction.Range };
                Node body = ReplaceReductions(reduction.Body, inner);
                Node definition = Expr.MakeReduction(reduction.Operation, reduction.Index, reduction.Range, body);
                string[] free = definition.FreeIndices;
                for (int k = 0; k < free.Length; k++)
                {
                    definition = IndexSubstitution.Substitute(definition, free[k], IndexRef.Loop(Temporary.FreeName(k)));
                }

                if (!_temporaries.TryGetValue(definition, out Temporary? temporary))
                {
                    string hint = reduction.Operation == ReductionKind.Sum ? "sum" : "logSumExp";
                    temporary = new Temporary(Names.Claim(hint), (Reduction)definition, free.Select(index => extents[index]).ToList());
                    _temporaries[definition] = temporary;
                    _temporaryOrder.Add(temporary);
                }

                var tensor = new TensorRef(temporary.Name, TensorRole.Temporary, temporary.Extents.ToEquatableArray());
                return Expr.Element(tensor, free.Select(IndexRef.Loop).ToArray());
            case FunctionCall call:
                return Expr.Function(call.Function, ReplaceReductions(call.Argument, extents));
            case Power power:
                return Expr.Power(ReplaceReductions(power.Base, extents), power.Exponent);
            case Multiply product:
                return Expr.Multiply(product.Factors.Select(f => ReplaceReductions(f, extents)).ToList());
            case Add sum:
                return Expr.Add(sum.Terms.Select(t => ReplaceReductions(t, extents)).ToList());
            default:
                return node;
        }
    }
}
