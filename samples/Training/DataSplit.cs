using System;
using System.Collections.Generic;
using System.Linq;

namespace Training;

/// <summary>
/// A fixed, seeded, stratified split: each class is shuffled on its own and cut 60 / 20 / 20 into
/// training, validation and test examples, so that every part has the classes in the same proportions.
/// </summary>
internal sealed record DataSplit(LabeledSet Train, LabeledSet Validation, LabeledSet Test)
{
    public const double TrainFraction = 0.6;
    public const double ValidationFraction = 0.2;

    public static DataSplit Stratified(LabeledSet all, int seed)
    {
        var random = new Random(seed);
        var train = new List<int>();
        var validation = new List<int>();
        var test = new List<int>();
        foreach (int label in all.Labels.Distinct().Order())
        {
            int[] members = Enumerable.Range(0, all.Count).Where(i => all.Labels[i] == label).ToArray();
            random.Shuffle(members);
            int trainCount = (int)Math.Round(TrainFraction * members.Length);
            int validationCount = (int)Math.Round(ValidationFraction * members.Length);
            train.AddRange(members[..trainCount]);
            validation.AddRange(members[trainCount..(trainCount + validationCount)]);
            test.AddRange(members[(trainCount + validationCount)..]);
        }

        // Mix the classes inside each part, so that a prefix of a part is no single digit.
        int[] Mixed(List<int> indices)
        {
            int[] array = [.. indices];
            random.Shuffle(array);
            return array;
        }

        return new DataSplit(all.Take(Mixed(train)), all.Take(Mixed(validation)), all.Take(Mixed(test)));
    }
}
