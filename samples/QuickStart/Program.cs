using System;
using SampleSupport;
using QuickStart;

// Exit codes: 0 done, 1 the computation failed (message on stderr), 2 bad command line.
QuickStartOptions? options;
try
{
    options = QuickStartOptions.Parse(args);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

if (options is null)
{
    Console.WriteLine(QuickStartOptions.Usage);
    return 0;
}

try
{
    NewtonDirectionDemo.Run(options, Console.Out);
    return 0;
}
catch (Exception e) when (e is ArgumentException or ArithmeticException or OutOfMemoryException)
{
    // SingularSystemException is an ArithmeticException: its message names the layer and epsilon.
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
