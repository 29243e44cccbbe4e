using CsCheck;
using Handoff.Core.Nodes;

namespace Handoff.Core.Tests.Nodes;

public sealed class NodeSelectorPropertyTests
{
    private static readonly string[] LabelKeys = ["zone", "cores", "example.com/tier"];
    private static readonly string[] LabelValues = ["a", "b", "8", "16", "x"];
    private static readonly string[] Keys = ["zone", "cores", "example.com/tier", "bad key"];
    private static readonly string[] Operators = ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt", "Bogus"];
    private static readonly string[] Values = ["a", "b", "8", "16", "x", "-1", "not valid"];

    private static readonly Gen<IReadOnlyDictionary<string, string>> GenLabels =
        Gen.Select(Gen.Int[0, LabelKeys.Length - 1], Gen.Int[0, LabelValues.Length - 1]).Array[0, 3]
            .Select(pairs => (IReadOnlyDictionary<string, string>)pairs.DistinctBy(p => p.Item1).ToDictionary(p => LabelKeys[p.Item1], p => LabelValues[p.Item2]));

    private static readonly Gen<NodeSelectorRequirement> GenRequirement =
        Gen.Select(Gen.Int[0, Keys.Length - 1], Gen.Int[0, Operators.Length - 1], Gen.Int[0, Values.Length - 1].Array[0, 2])
            .Select((k, o, v) => new NodeSelectorRequirement(Keys[k], Operators[o], [.. v.Select(i => Values[i])]));

    private static bool NaiveValid(NodeSelectorRequirement r)
    {
        var counts = r.Operator switch
        {
            "In" or "NotIn" => r.Values.Count > 0,
            "Exists" or "DoesNotExist" => r.Values.Count == 0,
            "Gt" or "Lt" => r.Values.Count == 1 && long.TryParse(r.Values[0], out _),
            _ => false,
        };
        return r.Key != "bad key" && counts && r.Values.All(v => v is not ("-1" or "not valid"));
    }

    private static bool NaiveMatches(NodeSelectorRequirement r, IReadOnlyDictionary<string, string> labels)
    {
        var has = labels.TryGetValue(r.Key, out var value);
        return r.Operator switch
        {
            "In" => has && r.Values.Contains(value),
            "NotIn" => !has || !r.Values.Contains(value),
            "Exists" => has,
            "DoesNotExist" => !has,
            "Gt" => has && long.TryParse(value, out var n) && n > long.Parse(r.Values[0], System.Globalization.CultureInfo.InvariantCulture),
            "Lt" => has && long.TryParse(value, out var n) && n < long.Parse(r.Values[0], System.Globalization.CultureInfo.InvariantCulture),
            _ => false,
        };
    }

    private static bool NaiveTermMatches(NodeSelectorRequirement[] requirements, IReadOnlyDictionary<string, string> labels) =>
        requirements.Length > 0 && requirements.All(NaiveValid) && requirements.All(r => NaiveMatches(r, labels));

    [Fact]
    public void A_term_matches_when_it_is_not_empty_every_requirement_parses_and_every_one_holds() =>
        Gen.Select(GenRequirement.Array[0, 3], GenLabels).Sample((requirements, labels) =>
        {
            Assert.Equal(NaiveTermMatches(requirements, labels), NodeSelectorTerm.Of(requirements).Matches(new LabeledNode("n", labels)));
            Assert.Equal(requirements.All(NaiveValid), NodeSelectorTerm.Of(requirements).Problems().Count == 0);
        }, iter: 5000);

    [Fact]
    public void Terms_are_ored() =>
        Gen.Select(GenRequirement.Array[0, 2].Array[0, 3], GenLabels).Sample((terms, labels) =>
        {
            var selector = new NodeSelector([.. terms.Select(t => NodeSelectorTerm.Of(t))]);
            Assert.Equal(terms.Any(t => NaiveTermMatches(t, labels)), selector.Matches(new LabeledNode("n", labels)));
        }, iter: 2000);
}
