using System;
using HessianCodegen;
using HessianCodegen.Layers;
using Consumer;

// Checks a network mixing the package's standard layers with GaussianLayer, declared in this
// project, against finite differences (independent of the generated second-order code).
// Exit code 0 if every check passes, 1 otherwise.
var network = new Network(
    new TanhLayer(3, 5),
    new GaussianLayer(5, 5),
    new TanhLayer(5, 4),
    new SoftmaxCrossEntropyLayer(4, 3));

var random = new Random(7);
var inputs = new double[3, 3];
for (int n = 0; n < 3; n++)
{
    for (int j = 0; j < 3; j++)
    {
        inputs[n, j] = (2 * random.NextDouble()) - 1;
    }
}

Batch batch = Batch.WithLabels(inputs, [0, 2, 1]);
double[] parameters = network.RandomParameters(seed: 3);
double[] direction = network.RandomParameters(seed: 4);
NetworkPoint point = network.At(parameters, batch);
double[] gradient = point.Gradient();
int failures = 0;

// Gradient against central differences of the loss, one parameter at a time.
const double h = 1e-5;
var numericGradient = new double[gradient.Length];
for (int i = 0; i < gradient.Length; i++)
{
    numericGradient[i] = (LossAt(Shifted(parameters, i, h)) - LossAt(Shifted(parameters, i, -h))) / (2 * h);
}

Check("gradient vs central differences of the loss", RelativeError(gradient, numericGradient), 1e-7);

// H v against central differences of the gradient along v.
double[] plus = GradientAt(Along(parameters, direction, h));
double[] minus = GradientAt(Along(parameters, direction, -h));
var numericProduct = new double[gradient.Length];
for (int i = 0; i < numericProduct.Length; i++)
{
    numericProduct[i] = (plus[i] - minus[i]) / (2 * h);
}

Check("H v vs central differences of the gradient", RelativeError(point.HessianVector(direction), numericProduct), 1e-6);

// The structured solve: (H + eps I) x = g, checked with the matrix-free product. A backward-stable
// solve of this system (eps = 0.1) leaves a residual of about 5e-15 ||g|| here.
const double epsilon = 0.1;
double[] solution = point.Derivatives().Factorize(epsilon).Solve(gradient);
double[] product = point.HessianVector(solution);
var residual = new double[gradient.Length];
for (int i = 0; i < residual.Length; i++)
{
    residual[i] = product[i] + (epsilon * solution[i]) - gradient[i];
}

Check("solve residual ||(H + eps I) x - g|| / ||g||", Norm(residual) / Norm(gradient), 5e-14);

Console.WriteLine(failures == 0 ? "consumer: all checks passed" : $"consumer: {failures} check(s) FAILED");
return failures == 0 ? 0 : 1;

void Check(string name, double error, double tolerance)
{
    bool passed = error <= tolerance;
    failures += passed ? 0 : 1;
    Console.WriteLine($"  {name,-48} {error:0.0E+00} (tolerance {tolerance:0.0E+00}) {(passed ? "ok" : "FAILED")}");
}

double LossAt(double[] at) => network.At(at, batch).Loss;

double[] GradientAt(double[] at) => network.At(at, batch).Gradient();

static double[] Shifted(double[] x, int index, double step)
{
    double[] copy = (double[])x.Clone();
    copy[index] += step;
    return copy;
}

static double[] Along(double[] x, double[] v, double step)
{
    var result = new double[x.Length];
    for (int i = 0; i < x.Length; i++)
    {
        result[i] = x[i] + (step * v[i]);
    }

    return result;
}

static double Norm(double[] x)
{
    double sum = 0;
    foreach (double value in x)
    {
        sum += value * value;
    }

    return Math.Sqrt(sum);
}

static double RelativeError(double[] actual, double[] expected)
{
    var difference = new double[actual.Length];
    for (int i = 0; i < actual.Length; i++)
    {
        difference[i] = actual[i] - expected[i];
    }

    return Norm(difference) / Norm(expected);
}
