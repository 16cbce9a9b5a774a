using System;
using QuickStart;

// Exit codes: 0 done and checked, 1 the computation failed (message on stderr), 2 bad command line,
// 3 a check above its tolerance (named on stderr).
QuickStartOptions? options = QuickStartOptions.Parse(args, out int exitCode);
if (options is null)
{
    return exitCode;
}

try
{
    return NewtonDirectionDemo.Run(options, Console.Out) ? 0 : 3;
}
catch (Exception e) when (e is ArgumentException or ArithmeticException or OutOfMemoryException)
{
    // SingularSystemException is an ArithmeticException: its message names the layer and epsilon.
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
