using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using HessianCodegen;
using OracleCheck;

// Usage: OracleCheck [--banded-lu] [CASE.json ...]. With no file, every *.json in ../shared/oracle (relative to
// the current directory, which is the repository root under `dotnet run --project`).
// Exit codes: 0 every check passed, 1 a check failed or a file could not be read, 2 no case found.
const string DefaultFolder = "../shared/oracle";

if (args.Any(argument => argument is "--help" or "-h"))
{
    Console.WriteLine(CaseChecker.Usage);
    return 0;
}

const string BandedLUOption = "--banded-lu";
FactorizationPath path = args.Contains(BandedLUOption) ? FactorizationPath.BandedLU : FactorizationPath.Riccati;
List<string> files = [.. args.Where(argument => argument != BandedLUOption)];
if (files.Count == 0)
{
    if (!Directory.Exists(DefaultFolder))
    {
        Console.Error.WriteLine($"error: no case file given and {Path.GetFullPath(DefaultFolder)} does not exist.");
        Console.Error.WriteLine(CaseChecker.Usage);
        return 2;
    }

    files.AddRange(Directory.GetFiles(DefaultFolder, "*.json").Order(StringComparer.Ordinal));
    if (files.Count == 0)
    {
        Console.Error.WriteLine($"error: {Path.GetFullPath(DefaultFolder)} holds no *.json case.");
        return 2;
    }
}

var tally = new CheckTally();
foreach (string file in files)
{
    CaseChecker.Check(file, path, tally, Console.Out);
}

Console.WriteLine(tally.Summary());
return tally.Failed == 0 ? 0 : 1;
