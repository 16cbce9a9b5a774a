namespace OracleCheck;

/// <summary>
/// Counts checks: one per quantity compared, one failure per file (or part of one) that could not be
/// read, and, apart from both, the quantities the library could not provide on the path it took
/// (the inertia after a banded-LU fallback), which neither pass nor fail.
/// </summary>
internal sealed class CheckTally
{
    public int Passed { get; private set; }

    public int Failed { get; private set; }

    public int NotCheckable { get; private set; }

    public void Record(bool passed)
    {
        if (passed)
        {
            Passed++;
        }
        else
        {
            Failed++;
        }
    }

    public void RecordNotCheckable() => NotCheckable++;

    public string Summary() =>
        $"{Passed} passed, {Failed} failed{(NotCheckable > 0 ? $", {NotCheckable} not checkable" : "")}";
}
