using System.Numerics;
using System.Text.RegularExpressions;
using CsCheck;
using Handoff.Core.Nodes;

namespace Handoff.Core.Tests.Nodes;

public sealed partial class TaintTolerationPropertyTests
{
    private static readonly string[] Keys = ["", "gpu", "dedicated", "level"];
    private static readonly string[] Values = ["", "true", "ml", "5", "-3", "+7", "12", "x1", "99999999999999999999"];
    private static readonly string[] Effects = ["", TaintEffect.NoSchedule, TaintEffect.PreferNoSchedule, TaintEffect.NoExecute];
    private static readonly string[] Operators = ["", "Equal", "Exists", "Lt", "Gt", "Bogus"];

    private static readonly Gen<Taint> GenTaint =
        Gen.Select(Gen.Int[1, Keys.Length - 1], Gen.Int[0, Values.Length - 1], Gen.Int[1, Effects.Length - 1])
            .Select((k, v, e) => new Taint(Keys[k], Values[v], Effects[e]));

    private static readonly Gen<Toleration> GenToleration =
        Gen.Select(Gen.Int[0, Keys.Length - 1], Gen.Int[0, Operators.Length - 1], Gen.Int[0, Values.Length - 1], Gen.Int[0, Effects.Length - 1])
            .Select((k, o, v, e) => new Toleration(Keys[k], Operators[o], Values[v], Effects[e]));

    [GeneratedRegex("^[+-]?[0-9]+$")]
    private static partial Regex GoInteger();

    // A Go int64 written in base 10, checked with arbitrary precision rather than long.TryParse.
    private static BigInteger? Integer(string s)
    {
        if (!GoInteger().IsMatch(s))
        {
            return null;
        }

        var value = BigInteger.Parse(s.TrimStart('+'), System.Globalization.CultureInfo.InvariantCulture);
        return value >= long.MinValue && value <= long.MaxValue ? value : null;
    }

    private static bool NaiveTolerates(Toleration t, Taint taint)
    {
        var effectMatches = t.Effect == "" || t.Effect == taint.Effect;
        var keyMatches = t.Key == "" || t.Key == taint.Key;
        var valueMatches = t.Operator switch
        {
            "Exists" => true,
            "" or "Equal" => t.Value == taint.Value,
            "Lt" => Integer(taint.Value) is { } a && Integer(t.Value) is { } b && a < b,
            "Gt" => Integer(taint.Value) is { } a && Integer(t.Value) is { } b && a > b,
            _ => false,
        };
        return effectMatches && keyMatches && valueMatches;
    }

    [Fact]
    public void Toleration_matching_equals_a_naive_reference() =>
        Gen.Select(GenToleration, GenTaint).Sample((toleration, taint) =>
            Assert.Equal(NaiveTolerates(toleration, taint), toleration.ToleratesTaint(taint)), iter: 5000);

    [Fact]
    public void The_filter_finds_the_first_untolerated_no_schedule_or_no_execute_taint() =>
        Gen.Select(GenTaint.Array[0, 5], GenToleration.Array[0, 4]).Sample((taints, tolerations) =>
        {
            var expected = taints.FirstOrDefault(taint =>
                taint.Effect is TaintEffect.NoSchedule or TaintEffect.NoExecute && !tolerations.Any(t => NaiveTolerates(t, taint)));
            Assert.Equal(expected, TaintToleration.FindUntoleratedForScheduling(taints, tolerations));
        }, iter: 3000);
}
