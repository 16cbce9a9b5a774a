namespace OracleCheck;

/// <summary>Counts checks: one per quantity compared, and one failure per file that could not be checked.</summary>
internal sealed class CheckTally
{
    public int Passed { get; private set; }

    public int Failed { get; private set; }

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
}
