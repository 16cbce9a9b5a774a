using System;
using QuickStart;

// Exit codes: 0 done, 1 the computation failed (message on stderr), 2 bad command line.
QuickStartOptions? options = QuickStartOptions.Parse(args, out int exitCode);
if (options is null)
{
    return exitCode;
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
