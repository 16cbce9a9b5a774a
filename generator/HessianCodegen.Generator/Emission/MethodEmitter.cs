using System;
using System.Collections.Generic;
using System.Linq;
using HessianCodegen.Generator.Differentiation;
using HessianCodegen.Generator.Helpers;
using HessianCodegen.Generator.Model;
using HessianCodegen.Generator.Symbolic;

namespace HessianCodegen.Generator.Emission;

/// <summary>
/// Builds the body of one generated method: the kernels it is given (an IR value per element of an
/// output, over free indices) become loop nests; the reductions inside them become temporaries
/// computed first; the spans and labels the code reads are declared on demand (the sizes, the parameter
/// count and the offsets are the layer's fields, see <see cref="LayerMembers"/>).
/// </summary>
internal sealed partial class MethodEmitter
{
    private const int StackallocLimit = 128;

    private readonly LayerModel _layer;
    private readonly LayerTensors _tensors;
    private readonly IReadOnlyDictionary<string, string> _sizeNames;
    private readonly Dictionary<TensorRef, string> _spanNames = new();
    private readonly Dictionary<string, string> _labelNames = new();
    private readonly IReadOnlyDictionary<string, string> _offsetNames;
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
    private LocalPurposes _purposes;
    private readonly LocalNames _locals = new();

    public MethodEmitter(LayerModel layer, LayerTensors tensors, LayerMembers members, IEnumerable<string> methodParameters)
    {
        _layer = layer;
        _tensors = tensors;
        _sizeNames = members.Sizes;
        _offsetNames = members.Offsets;
        _parameterCountName = members.ParameterCount;
        // The input is read as `input`; its name stays taken, so that no temporary is named like it.
        Names = new NameScope(methodParameters.Concat(NestEmitter.LoopNames).Concat(layer.Tensors.Select(t => "__" + t.Name))
            .Concat(layer.Tensors.Where(t => t.Kind == TensorKind.Input).Select(t => t.Name))
            .Concat(members.Sizes.Values).Concat(members.Offsets.Values).Concat(new[] { members.ParameterCount }));

        foreach (TensorDeclaration tensor in layer.Tensors)
        {
            if (tensor.Kind == TensorKind.ClassLabel)
            {
                _labelNames[tensor.Name] = Names.Claim(tensor.Name);
                continue;
            }

            TensorRef reference = tensor.ToTensorRef();
            if (tensor.Kind == TensorKind.Input)
            {
                // The input and its tangent are whole spans of the contract: read them by its names.
                _spanNames[reference] = "input";
                _spanNames[tensors.Direction(reference)] = "inputTangent";
                continue;
            }

            _spanNames[reference] = Names.Claim(tensor.Name);
            if (tensor.Kind == TensorKind.Parameter)
            {
                _spanNames[tensors.Direction(reference)] = Names.Claim("v" + tensor.Name);
            }
        }

        AdjointName = layer.IsLoss ? Names.Claim("b") : "outputAdjoint";
        _nests = new NestEmitter(this);
        _purposes = new LocalPurposes(tensors, new Dictionary<string, FunctionKind>());
    }

    public NameScope Names { get; }

    /// <summary>
    /// A local of the method with this purpose. It is named, with all the others, in the one naming pass
    /// at the end of <see cref="Build"/>; until then it is a placeholder.
    /// </summary>
    public string Local(LocalPurpose purpose) => _locals.Request(purpose);

    /// <summary>A local for a code node: named by the IR value it computes, else by the printer's hint.</summary>
    public string LocalName(CodeNode local) => Local(new LocalPurpose(local.NameHint, local.Source));

    /// <summary>The user's name for a loop: its own index's, else that of the first user index over the same range.</summary>
    public string? HintFor(Loop loop) =>
        loop.Hint ?? _layer.IndexNames.FirstOrDefault(index => index.Range.Equals(loop.Range))?.Name;

    private string AdjointName { get; }

    /// <summary>The C# for an extent: the layer's size field or a literal.</summary>
    public string Size(Extent extent) =>
        extent.Parameter is null ? CodeLiterals.Int(extent.Literal) : _sizeNames[extent.Parameter];

    /// <summary>The field holding the layer's parameter count (<c>p</c>).</summary>
    public string ParameterCount() => _parameterCountName;

    /// <summary>The offset of a parameter tensor in the flat parameter vector, as C#: 0 or the layer's offset field.</summary>
    public string ParameterOffset(TensorDeclaration parameter) =>
        _layer.Parameters.First().Name == parameter.Name ? "0" : _offsetNames[parameter.Name];

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
    public void Require(string span, string expectedLength, bool allowEmpty = false) =>
        _requirements.Add(allowEmpty
            ? $"RequireLength({span}.Length, {span}.IsEmpty ? 0 : {expectedLength}, nameof({span}));"
            : $"RequireLength({span}.Length, {expectedLength}, nameof({span}));");

    /// <summary>The check of the three spans every method reads, by the layer's <c>RequireExample</c> helper.</summary>
    public void RequireExample() => _requirements.Add("RequireExample(parameters, input, data);");

    /// <summary>The C# that reads one tensor element.</summary>
    public string ElementCode(TensorElement element, Func<IndexRef, string> indexName)
    {
        TensorRef tensor = element.Tensor;
        string span = SpanName(tensor);
        if (tensor.Rank == 0 || (IsTemporary(tensor) && _scalarTemporaries.Contains(tensor.Name)))
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
        _purposes = new LocalPurposes(_tensors, _temporaryOrder.Where(t => t.Definition is FunctionCall)
            .ToDictionary(t => t.Name, t => ((FunctionCall)t.Definition).Function), TangentTemporary);
        foreach (Node value in _planned.Where(p => p.Nest is not null).Select(p => p.Nest!.Value).Concat(_temporaryOrder.Select(t => t.Definition)))
        {
            _purposes.Learn(value);
        }

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
        foreach (TensorDeclaration tensor in _layer.Tensors.Where(t => t.Kind is not TensorKind.ClassLabel and not TensorKind.Input))
        {
            if (_used.Contains("span:" + _spanNames[tensor.ToTensorRef()]))
            {
                declarations.WriteLine($"global::System.ReadOnlySpan<double> {_spanNames[tensor.ToTensorRef()]} = {SpanSource(tensor, direction: false)};");
            }
        }

        foreach (TensorDeclaration parameter in _layer.Parameters)
        {
            string name = _spanNames[_tensors.Direction(parameter.ToTensorRef())];
            if (_used.Contains("span:" + name))
            {
                declarations.WriteLine($"global::System.ReadOnlySpan<double> {name} = {SpanSource(parameter, direction: true)};");
            }
        }

        // A loss layer's adjoint is one number; a hidden layer's is read from outputAdjoint itself.
        if (_layer.IsLoss && _used.Contains("span:" + AdjointName))
        {
            declarations.WriteLine($"double {AdjointName} = outputAdjoint[0];");
        }

        foreach (TensorDeclaration data in _layer.Data)
        {
            if (data.Kind == TensorKind.ClassLabel && _used.Contains("label:" + data.Name))
            {
                declarations.WriteLine($"int {_labelNames[data.Name]} = ReadLabel(data[{DataOffset(data)}], {Size(data.Dimensions[0])}, \"{data.Name}\");");
            }
        }

        string? pooled = DeclareScratch(declarations, rented);

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

        // Name: the plan is complete and printed, every local known with its purpose; one pass names them all.
        _locals.NameAll(Names, value => _purposes.NameFor(value, _locals));
        return header.Map(_locals.Apply);
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
        string pooled = Local(new LocalPurpose("pooled"));
        string buffer = spans.Count == 1 ? spans[0].Name : Local(new LocalPurpose("scratch"));
        string length = lengths.Count == 1 ? lengths[0] : Local(new LocalPurpose("scratchLength"));
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

    /// <summary>
    /// The entry of the temporary that holds the tangent along (t, v) of a sum temporary's entry
    /// (<c>Sum(j =&gt; W[i, j] * t[j] + vW[i, j] * z[j])</c> for <c>Sum(j =&gt; W[i, j] * z[j])</c>), when this method computes one.
    /// </summary>
    private Node? TangentTemporary(TensorElement entry)
    {
        Temporary? temporary = _temporaryOrder.FirstOrDefault(t => t.Name == entry.Tensor.Name);
        if (temporary?.Definition is not Reduction { Operation: ReductionKind.Sum } sum)
        {
            return null;
        }

        Node tangent = new Differentiator(Seeds.Directional(_tensors)).Differentiate(sum);
        if (!_temporaries.TryGetValue(tangent, out Temporary? holder) || !_temporaryOrder.Contains(holder))
        {
            return null;
        }

        return Expr.Element(new TensorRef(holder.Name, holder.Extents.ToEquatableArray()), entry.Indices.ToArray());
    }

    /// <summary>Whether a tensor is one of this method's temporaries (not one the layer's derivatives read).</summary>
    private bool IsTemporary(TensorRef tensor) => _tensors.RoleOf(tensor) is null;

    private string SpanName(TensorRef tensor)
    {
        if (IsTemporary(tensor))
        {
            return tensor.Name;
        }

        string name = tensor.Equals(_tensors.Adjoint) ? AdjointName : _spanNames[tensor];
        _used.Add("span:" + name);
        return name;
    }

    /// <summary>The slice of the contract's span that holds a parameter tensor (or its direction) or a data field.</summary>
    private string SpanSource(TensorDeclaration tensor, bool direction)
    {
        if (tensor.Kind == TensorKind.Parameter)
        {
            string source = direction ? "parameterDirection" : "parameters";
            return $"{source}.Slice({ParameterOffset(tensor)}, {Length(tensor)})";
        }

        return $"data.Slice({DataOffset(tensor)}, {Length(tensor)})";
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
