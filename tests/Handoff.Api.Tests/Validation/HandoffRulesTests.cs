using Handoff.Api.Crds.Validation;
using Handoff.Api.Manifests;

namespace Handoff.Api.Tests.Validation;

/// <summary>
/// The CEL rules of Handoff's CRDs, run by the evaluator the sandbox and <c>handoff plan</c> share (the contract suite
/// pins the same rule shapes against a cluster): every rule compiles, and each decides what it should.
/// </summary>
public sealed class HandoffRulesTests
{
    private static IReadOnlyList<string> Errors(string yaml) =>
        [.. CrdValidator.Validate(Assert.Single(ManifestReader.Read(yaml, "r.yaml"))).Errors.Select(e => e.Error.Message)];

    [Theory]
    [InlineData("HandoffNode")]
    [InlineData("HandoffFunction")]
    [InlineData("HandoffQueue")]
    public void Every_rule_of_the_crds_runs_in_the_evaluator(string kind) =>
        Assert.Empty(CrdValidator.For(kind).UnsupportedRules);

    [Theory]
    [InlineData("spec: {capacity: {cpu: 1}}", true)]
    [InlineData("spec: {capacityFrom: Node}", true)]
    [InlineData("spec: {capacityFrom: Node, capacity: {specialized_hardware: 1}}", true)]
    [InlineData("spec: {capacityFrom: None, capacity: {}}", false)]
    [InlineData("spec: {nodeName: w1}", false)]
    public void Capacity_is_required_unless_it_comes_from_the_node(string spec, bool valid)
    {
        var errors = Errors($"apiVersion: handoff.dev/v1alpha1\nkind: HandoffNode\nmetadata: {{name: n1}}\n{spec}\n");
        Assert.Equal(valid ? [] : ["spec: Invalid value: capacity needs at least one resource unless capacityFrom is Node"], errors);
    }

    [Fact]
    public void Function_names_are_at_most_63_characters()
    {
        var name = new string('f', 64);
        Assert.Equal(
            ["metadata.name: Invalid value: must be no more than 63 characters: a HandoffFunction's name is the value of the handoff.dev/function label of its pods"],
            Errors($"apiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {{name: {name}}}\nspec: {{}}\n"));
        Assert.Empty(Errors($"apiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {{name: {name[1..]}}}\nspec: {{}}\n"));
    }

    [Fact]
    public void Borrowing_needs_a_cohort()
    {
        Assert.Equal(["spec: Invalid value: borrowingLimit needs a cohort to borrow from"],
            Errors("apiVersion: handoff.dev/v1alpha1\nkind: HandoffQueue\nmetadata: {name: q}\nspec: {quota: {cpu: 4}, borrowingLimit: {cpu: 2}}\n"));
        Assert.Empty(Errors("apiVersion: handoff.dev/v1alpha1\nkind: HandoffQueue\nmetadata: {name: q}\nspec: {quota: {cpu: 4}, borrowingLimit: {cpu: 2}, cohort: research}\n"));
    }

    [Fact]
    public void Defaults_are_those_of_the_contract()
    {
        var function = CrdValidator.Validate(Assert.Single(ManifestReader.Read("apiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {name: f}\nspec: {}\n", "f.yaml"))).Defaulted!;
        Assert.Equal("""{"maxRetries":3,"preemptionPolicy":"PreemptLowerPriority"}""", function.Json["spec"]!.ToJsonString());
        var node = CrdValidator.Validate(Assert.Single(ManifestReader.Read("apiVersion: handoff.dev/v1alpha1\nkind: HandoffNode\nmetadata: {name: n1}\nspec: {capacity: {cpu: 1}}\n", "n.yaml"))).Defaulted!;
        Assert.Equal("None", (string?)node.Json["spec"]!["capacityFrom"]);
        var queue = CrdValidator.Validate(Assert.Single(ManifestReader.Read("apiVersion: handoff.dev/v1alpha1\nkind: HandoffQueue\nmetadata: {name: q}\nspec: {}\n", "q.yaml"))).Defaulted!;
        Assert.Equal("""{"weight":1,"queueingStrategy":"BestEffortFIFO"}""", queue.Json["spec"]!.ToJsonString());
    }
}
