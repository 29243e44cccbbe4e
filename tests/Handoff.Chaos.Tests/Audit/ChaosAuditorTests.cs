using Handoff.Chaos.Audit;
using Handoff.Chaos.Workload;

namespace Handoff.Chaos.Tests.Audit;

/// <summary>
/// The auditor is fed journals with one violation each (and a clean one) and must catch exactly that violation —
/// a check that can never fail would make the chaos suite's "0 violations" meaningless.
/// </summary>
public sealed class ChaosAuditorTests
{
    private const string A = "op-a-1_aaaaaaaa";
    private const string B = "op-b-1_bbbbbbbb";
    private static readonly string OpA = Journal.Operator(A);
    private static readonly string OpB = Journal.Operator(B);

    /// <summary>f (no args) succeeds with "r-f" on its first attempt; g takes f's result and "x".</summary>
    private static AuditExpectations Expect(IReadOnlyList<PauseEpisode>? pauses = null, params ChaosFunction[] functions)
    {
        ChaosFunction[] all = functions.Length > 0 ? functions :
        [
            new() { Name = "f", Cost = Cpu("1"), Result = "r-f" },
            new() { Name = "g", Args = ["f"], ExtraArgs = ["x"], Cost = Cpu("1"), Result = "r-g" },
        ];
        var workload = new ChaosWorkload(1, Journal.Ns, [], all);
        return AuditExpectations.For(workload, "default", "handoff-chaos", pauses ?? []);
    }

    private static Dictionary<string, string> Cpu(string cpu) => new() { ["cpu"] = cpu };

    /// <summary>f and g run one after the other on hn-0 and end as expected; the node is released.</summary>
    private static Journal Clean() => new Journal()
        .Node("hn-0", "2")
        .Lease(A, OpA)
        .Function("f", "uf", type: "ADDED")
        .Function("g", "ug", type: "ADDED")
        .CreatePod("f-1", "f", "uf", OpA).Bind("f-1", "hn-0", OpA).PodPhase("f-1", "Running")
        .Function("f", "uf", "Running", attempts: 1, by: OpA)
        .CreatePod("g-1", "g", "ug", OpA, args: ["r-f", "x"])
        .PodPhase("f-1", "Succeeded")
        .Function("f", "uf", "Succeeded", "r-f", attempts: 1, by: OpA)
        .Bind("g-1", "hn-0", OpA).PodPhase("g-1", "Succeeded")
        .Function("g", "ug", "Succeeded", "r-g", attempts: 1, by: OpA)
        .Node("hn-0", "2", observed: 1, by: OpA);

    private static IReadOnlyList<Violation> Audit(Journal journal, AuditExpectations? expect = null) =>
        ChaosAuditor.Audit(journal.Writes, expect ?? Expect()).Violations;

    private static Violation Single(Journal journal, ViolationKind kind, AuditExpectations? expect = null)
    {
        var violations = Audit(journal, expect);
        Assert.True(violations.Count == 1 && violations[0].Kind == kind, $"expected one {kind}, got: {string.Join("; ", violations)}");
        return violations[0];
    }

    [Fact]
    public void A_clean_journal_has_no_violations_and_counts_what_it_checked()
    {
        var report = ChaosAuditor.Audit(Clean().Writes, Expect());
        Assert.Empty(report.Violations);
        Assert.Equal((2, 2, 2, 2), (report.Pods, report.Bindings, report.Functions, report.Succeeded));
        Assert.True(report.OperatorWrites > 5);
    }

    [Fact]
    public void A_binding_beyond_the_capacity_is_an_over_commit()
    {
        var journal = new Journal().Node("hn-0", "2").Lease(A, OpA)
            .CreatePod("p-1", "f", "u1", OpA, cpu: "1").Bind("p-1", "hn-0", OpA)
            .CreatePod("p-2", "g", "u2", OpA, cpu: "2", args: ["r-f", "x"]).Bind("p-2", "hn-0", OpA);
        var v = Audit(journal).Single(v => v.Kind == ViolationKind.OverCommit);
        Assert.Equal(journal.LastVersion, v.ResourceVersion);
        Assert.Contains("p-1", v.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Terminating_pods_still_hold_their_capacity_and_finished_ones_do_not()
    {
        var terminating = new Journal().Node("hn-0", "2").Lease(A, OpA)
            .CreatePod("p-1", "f", "u1", OpA, cpu: "2").Bind("p-1", "hn-0", OpA).PodPhase("p-1", "Running").Terminating("p-1", "")
            .CreatePod("p-2", "f", "u2", OpA, cpu: "1").Bind("p-2", "hn-0", OpA);
        Assert.Contains(Audit(terminating), v => v.Kind == ViolationKind.OverCommit);

        var finished = new Journal().Node("hn-0", "2").Lease(A, OpA)
            .CreatePod("p-1", "f", "u1", OpA, cpu: "2").Bind("p-1", "hn-0", OpA).PodPhase("p-1", "Failed")
            .CreatePod("p-2", "f", "u2", OpA, cpu: "2").Bind("p-2", "hn-0", OpA);
        Assert.DoesNotContain(Audit(finished), v => v.Kind == ViolationKind.OverCommit);
    }

    [Fact]
    public void A_capacity_cut_binds_from_the_moment_the_operator_acknowledged_it()
    {
        // Cut from 4 to 1 (generation 2); a binding of 2 before the operator's status says it saw generation 2 is
        // held to the larger capacity (its cache may not have the cut yet) ...
        var before = new Journal().Node("hn-0", "4", observed: 1).Lease(A, OpA).Node("hn-0", "1", generation: 2, observed: 1)
            .CreatePod("p-1", "f", "u1", OpA, cpu: "2").Bind("p-1", "hn-0", OpA);
        Assert.DoesNotContain(Audit(before), v => v.Kind == ViolationKind.OverCommit);

        // ... and after it, to the cut.
        var after = new Journal().Node("hn-0", "4", observed: 1).Lease(A, OpA).Node("hn-0", "1", generation: 2, observed: 2, by: OpA)
            .CreatePod("p-1", "f", "u1", OpA, cpu: "2").Bind("p-1", "hn-0", OpA);
        Assert.Contains(Audit(after), v => v.Kind == ViolationKind.OverCommit && v.Message.Contains("acknowledged 2", StringComparison.Ordinal));
    }

    [Fact]
    public void A_binding_to_a_node_whose_cordon_was_acknowledged_is_caught()
    {
        var acknowledged = new Journal().Lease(A, OpA).Node("hn-0", "4", generation: 2, cordoned: true, observed: 2, by: OpA)
            .CreatePod("p-1", "f", "u1", OpA).Bind("p-1", "hn-0", OpA);
        Assert.Contains(Audit(acknowledged), v => v.Kind == ViolationKind.CordonIgnored);

        var notYetSeen = new Journal().Node("hn-0", "4", observed: 1).Lease(A, OpA).Node("hn-0", "4", generation: 2, cordoned: true, observed: 1)
            .CreatePod("p-1", "f", "u1", OpA).Bind("p-1", "hn-0", OpA);
        Assert.DoesNotContain(Audit(notYetSeen), v => v.Kind == ViolationKind.CordonIgnored);
    }

    [Fact]
    public void A_pod_bound_again_to_another_node_is_caught()
    {
        var journal = new Journal().Node("hn-0", "4").Node("hn-1", "4").Lease(A, OpA)
            .CreatePod("p-1", "f", "u1", OpA).Bind("p-1", "hn-0", OpA).Bind("p-1", "hn-1", OpA);
        Assert.Contains(Audit(journal), v => v.Kind == ViolationKind.BoundTwice && v.Message.Contains("k-hn-0", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_live_pods_of_one_function_are_caught_even_unbound()
    {
        var journal = new Journal().Node("hn-0", "4").Lease(A, OpA)
            .CreatePod("f-1", "f", "uf", OpA).Bind("f-1", "hn-0", OpA).PodPhase("f-1", "Running")
            .CreatePod("f-2", "f", "uf", OpA);
        Assert.Contains(Audit(journal), v => v.Kind == ViolationKind.TwoLivePods && v.Message.Contains("f-1, f-2", StringComparison.Ordinal));

        // The next attempt after the previous one ended is fine.
        var retried = new Journal().Node("hn-0", "4").Lease(A, OpA)
            .CreatePod("f-1", "f", "uf", OpA).Bind("f-1", "hn-0", OpA).PodPhase("f-1", "Failed")
            .CreatePod("f-2", "f", "uf", OpA);
        Assert.DoesNotContain(Audit(retried), v => v.Kind == ViolationKind.TwoLivePods);
    }

    [Fact]
    public void A_bound_pod_without_its_cost_or_on_an_unknown_node_is_unaccounted()
    {
        var noCost = new Journal().Node("hn-0", "4").Lease(A, OpA).CreatePod("p-1", "f", "u1", OpA, cpu: null).Bind("p-1", "hn-0", OpA);
        Assert.Contains(Audit(noCost), v => v.Kind == ViolationKind.UnaccountedPod && v.Message.Contains("handoff.dev/cost", StringComparison.Ordinal));
        var unknownNode = new Journal().Node("hn-0", "4").Lease(A, OpA).CreatePod("p-1", "f", "u1", OpA).Bind("p-1", "hn-9", OpA);
        Assert.Contains(Audit(unknownNode), v => v.Kind == ViolationKind.UnaccountedPod && v.Message.Contains("k-hn-9", StringComparison.Ordinal));
    }

    [Fact]
    public void A_write_by_a_replica_that_does_not_hold_the_lease_is_a_fencing_breach()
    {
        var takenOver = Clean().Lease(B, OpB).Function("g", "ug", "Succeeded", "r-g", attempts: 1, by: OpA);
        var v = Single(takenOver, ViolationKind.FencingBreach);
        Assert.Contains($"{A} wrote", v.Message, StringComparison.Ordinal);
        Assert.Contains($"held by {B}", v.Message, StringComparison.Ordinal);

        var released = Clean().Lease(null, OpA).Node("hn-0", "2", observed: 1, by: OpA);
        Assert.Contains("held by nobody", Single(released, ViolationKind.FencingBreach).Message, StringComparison.Ordinal);

        // The new holder's writes, the driver's and the sandbox's are fine; lease writes are the election itself.
        var handedOver = Clean().Lease(B, OpB).Node("hn-0", "2", observed: 1, by: OpB).Lease(B, OpA);
        Assert.Empty(Audit(handedOver));
    }

    [Fact]
    public void A_terminal_function_that_changes_phase_or_result_is_a_regression()
    {
        var phase = Clean().Function("f", "uf", "Running", attempts: 1, by: OpA).Function("f", "uf", "Succeeded", "r-f", attempts: 1, by: OpA);
        Assert.Contains("was Succeeded", Single(phase, ViolationKind.TerminalRegression).Message, StringComparison.Ordinal);
        var result = Clean().Function("g", "ug", "Succeeded", "other", attempts: 1, by: OpA).Function("g", "ug", "Succeeded", "r-g", attempts: 1, by: OpA);
        Single(result, ViolationKind.TerminalRegression);
    }

    [Fact]
    public void A_deleted_and_recreated_function_is_judged_by_its_last_incarnation()
    {
        var journal = Clean()
            .Function("g", "ug", "Succeeded", "r-g", attempts: 1, type: "DELETED")
            .Function("g", "ug2", type: "ADDED")
            .Function("g", "ug2", "Succeeded", "r-g", attempts: 1, by: OpA);
        var report = ChaosAuditor.Audit(journal.Writes, Expect());
        Assert.Empty(report.Violations);
        Assert.Equal(1, report.Deleted);

        var missing = Clean().Function("g", "ug", "Succeeded", "r-g", attempts: 1, type: "DELETED");
        Assert.Contains("does not exist at the end", Single(missing, ViolationKind.WrongOutcome).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Failed", "r-g", 1)]
    [InlineData("Succeeded", "wrong", 1)]
    [InlineData("Succeeded", "r-g", 2)]
    [InlineData("Running", null, 1)]
    public void An_outcome_other_than_the_code_dictates_is_caught(string phase, string? result, int attempts)
    {
        var journal = Clean().Function("g", "ug2", type: "ADDED").Function("g", "ug2", phase, result, attempts: attempts, by: OpA);
        Assert.Contains("function g ended", Single(journal, ViolationKind.WrongOutcome).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Outcomes_follow_retries_flakiness_and_failed_dependencies()
    {
        ChaosFunction F(string name, FunctionBehaviour b, int maxRetries = 0, int failing = 0, params string[] args) =>
            new() { Name = name, Args = args, Cost = Cpu("1"), Result = "r-" + name, Behaviour = b, MaxRetries = maxRetries, FailingAttempts = failing };
        var outcomes = ExpectedOutcome.For(new ChaosWorkload(1, "ns", [],
        [
            F("ok", FunctionBehaviour.Succeeds, 3),
            F("broken", FunctionBehaviour.Fails, 1),
            F("flaky", FunctionBehaviour.Flaky, 2, 2),
            F("too-flaky", FunctionBehaviour.Flaky, 1, 2),
            F("after-ok", FunctionBehaviour.Succeeds, 0, 0, "ok", "flaky"),
            F("after-broken", FunctionBehaviour.Succeeds, 0, 0, "ok", "broken"),
            F("after-after", FunctionBehaviour.Fails, 0, 0, "after-broken"),
        ]));
        Assert.Equal(new ExpectedOutcome("Succeeded", "Succeeded", 1, "r-ok"), outcomes["ok"]);
        Assert.Equal(new ExpectedOutcome("Failed", "RetriesExhausted", 2, null), outcomes["broken"]);
        Assert.Equal(new ExpectedOutcome("Succeeded", "Succeeded", 3, "r-flaky"), outcomes["flaky"]);
        Assert.Equal(new ExpectedOutcome("Failed", "RetriesExhausted", 2, null), outcomes["too-flaky"]);
        Assert.Equal(new ExpectedOutcome("Succeeded", "Succeeded", 1, "r-after-ok"), outcomes["after-ok"]);
        Assert.Equal(new ExpectedOutcome("Failed", "DependencyFailed", 0, null), outcomes["after-broken"]);
        Assert.Equal(new ExpectedOutcome("Failed", "DependencyFailed", 0, null), outcomes["after-after"]);
    }

    [Fact]
    public void Results_handed_on_wrongly_are_caught()
    {
        var journal = Clean().CreatePod("g-2", "g", "ug-old", OpA, args: ["r-f"]);
        Assert.Contains("expected [\"r-f\",\"x\"]", Single(journal, ViolationKind.WrongArgs).Message, StringComparison.Ordinal);

        // A pod for a function whose arg never succeeds should not exist at all.
        var expect = Expect(null,
            new ChaosFunction { Name = "f", Cost = Cpu("1"), Result = "r-f", Behaviour = FunctionBehaviour.Fails },
            new ChaosFunction { Name = "g", Args = ["f"], Cost = Cpu("1"), Result = "r-g" });
        var early = new Journal().Lease(A, OpA).CreatePod("g-1", "g", "ug", OpA, args: [""]);
        Assert.Contains(Audit(early, expect), v => v.Kind == ViolationKind.WrongArgs && v.Message.Contains("never succeeds", StringComparison.Ordinal));
    }

    [Fact]
    public void A_node_that_still_holds_something_at_the_end_is_caught()
    {
        var journal = Clean().Node("hn-0", "2", observed: 1, allocatedCpu: "1", functions: 1, by: OpA);
        Assert.Contains("allocated {cpu: 1} and 1 functions", Single(journal, ViolationKind.NodeNotReleased).Message, StringComparison.Ordinal);
        var zeros = Clean().Node("hn-0", "2", observed: 1, allocatedCpu: "0", by: OpA);
        Assert.Empty(Audit(zeros));
    }

    [Fact]
    public void A_pause_reports_the_takeover_and_the_paused_replicas_writes_after_it()
    {
        var journal = Clean();
        var stopped = journal.LastVersion;
        journal.Lease(B, OpB).Node("hn-0", "2", observed: 1, by: OpB);
        var takeover = journal.LastVersion - 1;
        journal.Node("hn-0", "2", observed: 1, by: OpA) // the paused replica, continued, writes once more: a breach
            .Lease(A, OpA)                           // and later takes the lease back (B gone): legitimate from here
            .Node("hn-0", "2", observed: 1, by: OpA);
        var pause = new PauseEpisode(A, stopped, journal.LastVersion);
        var report = ChaosAuditor.Audit(journal.Writes, Expect([pause]));
        var fencing = Assert.Single(report.Pauses);
        Assert.Equal((takeover, B, 1), (fencing.TakeoverAt, fencing.NewLeader, fencing.WritesAfterTakeover));
        Assert.Single(report.Violations, v => v.Kind == ViolationKind.FencingBreach);
        Assert.Equal(2, report.LeaderChanges);
    }

    [Fact]
    public void Write_requests_sent_after_a_pause_are_a_fencing_breach_even_when_refused()
    {
        var journal = Clean();
        var pauses = new[] { new PauseEpisode(A, journal.LastVersion - 3, journal.LastVersion, WriteRequestsAfterContinue: 2), new PauseEpisode(A, 1, 2, 0), new PauseEpisode(A, 3, 4) };
        var v = Single(journal, ViolationKind.FencingBreach, Expect(pauses));
        Assert.Contains("sent 2 write request(s)", v.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("handoff-operator/0.1.0 (op-a-2_0123abcd) KubernetesClient/21.0.8", "op-a-2_0123abcd")]
    [InlineData("handoff-operator/0.1.0 KubernetesClient/21.0.8", "handoff-operator/0.1.0 KubernetesClient/21.0.8")]
    [InlineData("handoff-chaos/1.0", null)]
    [InlineData("", null)]
    public void The_writer_of_an_operator_request_is_its_lease_identity(string agent, string? identity) =>
        Assert.Equal(identity, ChaosAuditor.OperatorIdentity(agent));
}
