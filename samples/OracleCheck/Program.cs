System.Console.WriteLine("OracleCheck: not written yet.");
