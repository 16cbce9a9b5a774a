using System;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using Training;
using Xunit;

namespace HessianCodegen.Tests.Samples;

/// <summary>
/// The training sample end to end on a tiny network and budget: it exits cleanly and writes a CSV
/// with every optimizer's steps and two well-formed SVG plots with one curve per optimizer.
/// </summary>
public sealed class TrainingSampleSmokeTests
{
    [Fact]
    public void RunsEveryOptimizerAndWritesItsCsvAndPlots()
    {
        string folder = Path.Combine(Path.GetTempPath(), "hcg-training-smoke-" + Guid.NewGuid().ToString("N"));
        try
        {
            int exitCode = TrainingApp.Run(
                ["--depth", "3", "--width", "4", "--seconds", "0.3", "--tune-seconds", "0.05", "--curvature-batch", "4", "--out", folder,
                 "--optimizers", string.Join(',', TrainingOptions.AllOptimizers)]);
            Assert.Equal(0, exitCode);

            string[] lines = File.ReadAllLines(Path.Combine(folder, "steps.csv"));
            Assert.Equal(CsvOutput.Header, lines[0]);
            string[] optimizers = lines.Skip(1).Select(line => line.Split(',')[0]).Distinct().ToArray();
            Assert.Equal(TrainingOptions.AllOptimizers, optimizers);
            int columns = CsvOutput.Header.Split(',').Length;
            Assert.All(lines, line => Assert.Equal(columns, line.Split(',').Length));

            foreach (string plot in new[] { "test-loss-vs-time.svg", "test-loss-vs-steps.svg" })
            {
                XDocument svg = XDocument.Load(Path.Combine(folder, plot));
                Assert.Equal("svg", svg.Root!.Name.LocalName);
                // The legend: one entry per optimizer, each the optimizer's exact name.
                string[] texts = svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim()).ToArray();
                Assert.All(TrainingOptions.AllOptimizers, name => Assert.Contains(name, texts));
            }
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("--depth", "1", "--depth must be an integer in [2, 1000]; got '1'.")]
    [InlineData("--seconds", "soon", "--seconds must be a finite number >= 0; got 'soon'.")]
    [InlineData("--optimizers", "adam,lbfgs", "--optimizers must be a comma-separated list of")]
    public void BadOptionIsOneLineAndExitCode2(string option, string value, string message)
    {
        TextWriter original = Console.Error;
        var error = new StringWriter();
        Console.SetError(error);
        try
        {
            Assert.Equal(2, TrainingApp.Run([option, value]));
        }
        finally
        {
            Console.SetError(original);
        }

        string written = error.ToString().TrimEnd();
        Assert.DoesNotContain('\n', written);
        Assert.StartsWith("error: " + message, written, StringComparison.Ordinal);
    }
}
