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

    /// <summary>Working spans a temporary needs while it is computed (LogSumExp terms), declared like temporaries.</summary>
    private readonly List<Temporary> _scratch = new();
    private readonly List<PlannedNest> _planned = new();
    private HashSet<string> _scalarTemporaries = new();
    private readonly Dictionary<(LoopNest Nest, bool Overwrite), Loop?> _sharableLoops = new();
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
                // The input tangent is t, as in the contract's Dz t + Dx v.
                _spanNames[reference.WithRole(TensorRole.InputTangent)] = Names.Claim("t");
            }
            else if (tensor.Kind == TensorKind.Parameter)
            {
                _spanNames[reference.WithRole(TensorRole.ParameterDirection)] = Names.Claim("v" + tensor.Name);
                _offsetNames[tensor.Name] = Names.Claim(tensor.Name + "Offset");
            }
        }

        AdjointName = Names.Claim("b");
        _parameterCountName = Names.Claim("parameterCount");
        _nests = new NestEmitter(this);
    }

    public NameScope Names { get; }

    /// <summary>The user's name for a loop: its own index's, else that of the first user index over the same range.</summary>
    public string? HintFor(Loop loop) =>
        loop.Hint ?? _layer.IndexNames.FirstOrDefault(index => index.Range.Equals(loop.Range))?.Name;

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

    /// <summary>Whether the body reads a class label, so the layer needs its <c>ReadLabel</c> helper.</summary>
    public bool ReadsLabel => _labelNames.Keys.Any(name => _used.Contains("label:" + name));

    /// <summary>The local holding a class label's value (declared on first use).</summary>
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
        if (tensor.Rank == 0 || (tensor.Role == TensorRole.Temporary && _scalarTemporaries.Contains(tensor.Name)))
        {
            return span;
        }

        if (tensor.Rank > 2)
        {
            // Only temporaries have more than two indices: row-major, like their stores.
            string flat = indexName(element.Indices[0]);
            for (int k = 1; k < tensor.Rank; k++)
            {
                flat = $"({flat}) * {Size(tensor.Dimensions[k])} + {indexName(element.Indices[k])}";
            }

            return span + "[" + flat + "]";
        }

        if (tensor.Rank == 1)
        {
            return span + "[" + indexName(element.Indices[0]) + "]";
        }

        return span + "[" + indexName(element.Indices[0]) + " * " + Size(tensor.Dimensions[1]) + " + " + indexName(element.Indices[1]) + "]";
    }

    /// <summary>The complete method body, at indentation 0.</summary>
    public SourceWriter Build()
    {
        ReuseTemporariesAtLabels();
        HoistElementwiseFunctions();

        // Plan: the steps, which of them share a loop, which temporaries need no span.
        List<StepGroup> groups = Fuse(PlanSteps(DependencyOrder(_temporaryOrder)));
        _scalarTemporaries = ScalarTemporaries(groups);

        // Print. Outputs are only written, never read: every clear can come first.
        var body = new SourceWriter();
        var clears = _planned.Where(p => p.Nest is null).Select(p => p.Clear!)
            .Concat(groups.Where(g => g.Steps.Count > 1).SelectMany(g => g.Steps)
                .Where(s => s.Planned is { Overwrite: true } && s.OuterIsReduction).Select(s => s.Planned!.Nest!.Target.Span))
            .Distinct().ToList();
        foreach (string span in clears)
        {
            body.WriteLine(span + ".Clear();");
        }

        if (clears.Count > 0)
        {
            body.WriteLine();
        }

        foreach (StepGroup group in groups)
        {
            if (group.Steps.Count == 1)
            {
                EmitAlone(body, group.Steps[0]);
            }
            else
            {
                EmitFused(body, group);
            }

            body.WriteLine();
        }

        // Declarations last: only now is it known what the body reads.
        var rented = _temporaryOrder.Where(t => !t.IsScalar && !_scalarTemporaries.Contains(t.Name)).Concat(_scratch).ToList();
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

        string? pooled = DeclareScratch(declarations, rented);

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
        header.WriteIndented(body);
        if (pooled is not null)
        {
            header.WriteLine();
            // No try/finally: nothing after the rent can throw (lengths and labels are checked before),
            // and a buffer that is not returned would only be collected.
            header.WriteLine($"if ({pooled} is not null)");
            header.WriteLine("{");
            header.WriteLine($"    global::System.Buffers.ArrayPool<double>.Shared.Return({pooled});");
            header.WriteLine("}");
        }

        return header;
    }

    /// <summary>
    /// Declares the spans of the temporaries: one stack buffer when small, else one pooled array, sliced
    /// per temporary. Returns the name of the pooled array to return, or null when there is none.
    /// </summary>
    private string? DeclareScratch(SourceWriter declarations, List<Temporary> spans)
    {
        if (spans.Count == 0)
        {
            return null;
        }

        List<string> lengths = spans.Select(t => string.Join(" * ", t.Extents.Select(Size))).ToList();
        string pooled = Names.Claim("pooled");
        string buffer = spans.Count == 1 ? spans[0].Name : Names.Claim("scratch");
        string length = lengths.Count == 1 ? lengths[0] : Names.Claim("scratchLength");
        if (lengths.Count > 1)
        {
            declarations.WriteLine($"int {length} = {string.Join(" + ", lengths)};");
        }

        declarations.WriteLine($"double[]? {pooled} = null;");
        declarations.WriteLine($"global::System.Span<double> {buffer} = {length} <= {StackallocLimit}");
        declarations.WriteLine($"    ? stackalloc double[{length}]");
        declarations.WriteLine($"    : new global::System.Span<double>({pooled} = global::System.Buffers.ArrayPool<double>.Shared.Rent({length}), 0, {length});");
        if (spans.Count > 1)
        {
            string offset = "0";
            for (int k = 0; k < spans.Count; k++)
            {
                declarations.WriteLine($"global::System.Span<double> {spans[k].Name} = {buffer}.Slice({offset}, {lengths[k]});");
                offset = offset == "0" ? lengths[k] : offset + " + " + lengths[k];
            }
        }

        return pooled;
    }

    private void EmitAlone(SourceWriter body, Step step)
    {
        if (step.Temporary is { } temporary)
        {
            body.WriteLine("// " + Describe(temporary));
            EmitTemporary(body, temporary);
            return;
        }

        body.WriteLine("// " + step.Planned!.What);
        _nests.Emit(body, step.Planned.Nest!, step.Planned.Overwrite);
    }

    /// <summary>One loop over the group's range; each step inside it, bound to that loop's index.</summary>
    private void EmitFused(SourceWriter body, StepGroup group)
    {
        string? hint = group.Steps.Select(s => s.Outer!.Hint).FirstOrDefault(h => h is not null) ?? HintFor(group.Outer!);
        string index = NestEmitter.LoopName(hint, new HashSet<string>());
        var work = new List<Work>();
        foreach (Step step in group.Steps)
        {
            var names = new Dictionary<string, string> { [step.Outer!.Index] = index };
            if (step.Temporary is { } temporary)
            {
                bool scalar = _scalarTemporaries.Contains(temporary.Name);
                WriteTarget target = scalar ? WriteTarget.Scalar(temporary.Name) : TemporaryTarget(temporary);
                LoopNest nest = temporary.Definition is Reduction sum
                    ? new LoopNest(new List<Loop>(), new Loop(sum.Index, sum.Range, sum.Hint), sum.Body, target, System.Array.Empty<(IndexRef, IndexRef)>())
                    : new LoopNest(new List<Loop>(), null, temporary.Definition, target, System.Array.Empty<(IndexRef, IndexRef)>());
                work.Add(new Work(nest, true, Describe(temporary, index), names, scalar ? temporary.Name : null));
            }
            else
            {
                LoopNest full = step.Planned!.Nest!;
                var inner = full with
                {
                    Loops = full.Loops.Where(loop => loop != step.Outer).ToList(),
                    Reduction = step.OuterIsReduction ? null : full.Reduction,
                };
                work.Add(new Work(inner, step.Planned.Overwrite && !step.OuterIsReduction, step.Planned.What, names, null));
            }
        }

        string temporaries = string.Join(", ", group.Steps.Where(s => s.Temporary is not null).Select(s => s.Temporary!.Name));
        body.WriteLine($"// For each {index} < {Size(group.Outer!.Range)}: " + (temporaries.Length == 0 ? "the updates below" : temporaries + ", then the updates below"));
        body.WriteLine($"for (int {index} = 0; {index} < {Size(group.Outer.Range)}; {index}++)");
        body.WriteLine("{");
        body.Indentation++;
        EmitWork(body, work.ToList(), new Dictionary<string, string>());
        body.Indentation--;
        body.WriteLine("}");
    }

    /// <summary>
    /// Emits nests inside an enclosing loop body; consecutive nests whose first loop runs over the same
    /// range share that loop (recursively), unless one reads a sum another accumulates in it.
    /// </summary>
    private void EmitWork(SourceWriter body, List<Work> items, Dictionary<string, string> shared)
    {
        int k = 0;
        while (k < items.Count)
        {
            Work item = items[k];
            Loop? first = SharableLoop(item);
            var run = new List<Work> { item };
            var accumulated = new HashSet<string>();
            if (item.Produces is not null)
            {
                accumulated.Add(item.Produces);
            }

            // Later nests over the same range join the run when they read nothing the run accumulates
            // or the nests they would move ahead of produce (outputs are never read).
            var skippedProduce = new HashSet<string>();
            for (int later = k + 1; first is not null && later < items.Count; later++)
            {
                Work candidate = items[later];
                var reads = TemporaryReads(candidate.Nest.Value).Select(read => read.Tensor.Name).ToList();
                if (SharableLoop(candidate) is { } loop && loop.Range.Equals(first.Range) &&
                    !reads.Any(name => accumulated.Contains(name) || skippedProduce.Contains(name)))
                {
                    if (candidate.Produces is not null)
                    {
                        accumulated.Add(candidate.Produces);
                    }

                    run.Add(candidate);
                    items.RemoveAt(later);
                    later--;
                }
                else
                {
                    skippedProduce.Add(candidate.Nest.Target.Span);
                }
            }

            int next = k + 1;

            bool hasLoops = item.Nest.Loops.Count > 0 || item.Nest.Reduction is not null;
            if (run.Count == 1)
            {
                if (hasLoops)
                {
                    body.WriteLine("// " + item.What);
                }

                _nests.Emit(body, item.Nest, item.Overwrite, item.Names, shared);
            }
            else
            {
                var taken = new HashSet<string>(run.SelectMany(w => w.Names.Values));
                string index = NestEmitter.LoopName(run.Select(SharableLoop).Select(loop => HintFor(loop!)).FirstOrDefault(h => h is not null), taken);
                var inner = new List<Work>();
                foreach (Work unhoisted in run)
                {
                    Work member = HoistInvariants(body, unhoisted, shared);
                    Loop shared1 = SharableLoop(member)!;
                    bool isReduction = shared1 == member.Nest.Reduction;
                    if (isReduction && member.Overwrite)
                    {
                        // A sum into a scalar: start it before the shared loop, add to it inside.
                        body.WriteLine($"double {member.Nest.Target.Span} = 0.0;");
                    }

                    var names = new Dictionary<string, string>(member.Names) { [shared1.Index] = index };
                    LoopNest stripped = member.Nest with
                    {
                        Loops = member.Nest.Loops.Where(l => l != shared1).ToList(),
                        Reduction = isReduction ? null : member.Nest.Reduction,
                    };
                    inner.Add(member with { Nest = stripped, Overwrite = member.Overwrite && !isReduction, Names = names, Produces = null });
                }

                body.WriteLine($"// For each {index} < {Size(first!.Range)}: {string.Join("; ", run.Select(w => w.What).Distinct())}");
                body.WriteLine($"for (int {index} = 0; {index} < {Size(first.Range)}; {index}++)");
                body.WriteLine("{");
                body.Indentation++;
                EmitWork(body, inner.ToList(), new Dictionary<string, string>(shared));
                body.Indentation--;
                body.WriteLine("}");
            }

            if (hasLoops && next < items.Count)
            {
                body.WriteLine();
            }

            k = next;
        }
    }

    /// <summary>
    /// Before a shared loop: the factors of a nest's value that do not change in it (they read only
    /// indices bound outside) become locals declared here, once per distinct code, and the nest reads them.
    /// </summary>
    private Work HoistInvariants(SourceWriter body, Work member, Dictionary<string, string> shared)
    {
        Node Hoist(Node term)
        {
            if (term is not Multiply product)
            {
                return term;
            }

            List<Node> invariant = product.Factors.Where(f => f.FreeIndices.All(member.Names.ContainsKey) && !ReadsAccumulated(f)).ToList();
            if (invariant.Count(f => f is not Constant) == 0 || invariant.Count == product.Factors.Count && member.Nest.Loops.Count == 0 && member.Nest.Reduction is null)
            {
                return term;
            }

            if (invariant.Count == 1 && invariant[0] is TensorElement or Constant)
            {
                return term;
            }

            string code = _nests.Render(Expr.Multiply(invariant), member.Names);
            if (!shared.TryGetValue(code, out string? local))
            {
                local = Names.Claim("factor");
                shared[code] = local;
                body.WriteLine($"double {local} = {code};");
            }

            var scalar = new TensorRef(local, TensorRole.Temporary, Helpers.EquatableArray<Extent>.Empty);
            _scalarTemporaries.Add(local);
            return Expr.Multiply(product.Factors.Where(f => !invariant.Contains(f)).Concat(new[] { Expr.Element(scalar) }));
        }

        bool ReadsAccumulated(Node node) => member.Produces is not null && TemporaryReads(node).Any(read => read.Tensor.Name == member.Produces);

        Node value = member.Nest.Value;
        Node hoisted = value is Add sum ? Expr.Add(sum.Terms.Select(Hoist).ToList()) : Hoist(value);
        if (!member.Nest.Loops.Any() && member.Nest.Reduction is null && value is not Add && hoisted == value &&
            value.FreeIndices.All(member.Names.ContainsKey) && value is not TensorElement and not Constant)
        {
            // A single statement that does not change in the shared loop: its whole value is a local.
            string code = _nests.Render(value, member.Names);
            if (!shared.TryGetValue(code, out string? local))
            {
                local = Names.Claim("factor");
                shared[code] = local;
                body.WriteLine($"double {local} = {code};");
            }

            _scalarTemporaries.Add(local);
            hoisted = Expr.Element(new TensorRef(local, TensorRole.Temporary, Helpers.EquatableArray<Extent>.Empty));
        }

        return ReferenceEquals(hoisted, value) ? member : member with { Nest = member.Nest with { Value = hoisted } };
    }

    /// <summary>The first loop of a nest in its cheapest order, if the nest can share it with its neighbours.</summary>
    private Loop? SharableLoop(Work item)
    {
        // Asked for every pair of neighbours: the order search runs once per nest.
        if (_sharableLoops.TryGetValue((item.Nest, item.Overwrite), out Loop? known))
        {
            return known;
        }

        Loop? result = FindSharableLoop(item);
        _sharableLoops[(item.Nest, item.Overwrite)] = result;
        return result;
    }

    private static Loop? FindSharableLoop(Work item)
    {
        LoopNest nest = item.Nest;
        var all = nest.Loops.Concat(nest.Reduction is null ? Enumerable.Empty<Loop>() : new[] { nest.Reduction }).ToList();
        if (all.Count == 0 || nest.Conditions.Count > 0)
        {
            return null;
        }

        Loop first = NestEmitter.ChooseOrder(nest, all, item.Overwrite).Order[0];
        bool isReduction = first == nest.Reduction;
        if (item.Overwrite && (isReduction ? !nest.Target.IsScalar : nest.Reduction is not null))
        {
            return null;
        }

        return first;
    }

    /// <summary>A nest to print inside enclosing loops: the C# names those loops give its indices, and the scalar sum it starts, if any.</summary>
    private sealed record Work(LoopNest Nest, bool Overwrite, string What, Dictionary<string, string> Names, string? Produces);

    /// <summary>What a temporary holds, in the layer language: <c>sum[i] = Sum(j =&gt; W[i, j] * z[j])</c>.</summary>
    private string Describe(Temporary temporary, string? firstIndex = null)
    {
        var names = new Dictionary<string, string>();
        var used = new HashSet<string>();
        for (int k = 0; k < temporary.Extents.Count; k++)
        {
            names[Temporary.FreeName(k)] = k == 0 && firstIndex is not null && used.Add(firstIndex)
                ? firstIndex
                : NestEmitter.LoopName(HintFor(new Loop(Temporary.FreeName(k), temporary.Extents[k])), used);
        }

        string target = temporary.IsScalar ? temporary.Name : temporary.Name + "[" + string.Join(", ", names.Values) + "]";
        return target + " = " + IrDescription.Of(temporary.Definition, names);
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

}
