using System.Text.Json;
using static Handoff.Cli.Tests.Planning.PlanHarness;

namespace Handoff.Cli.Tests.Planning;

/// <summary>
/// A batch/v1 Job whose pods name Handoff gets, in the plan, the pods its controller creates (<c>job/NAME-N</c>):
/// parallelism at once, one more per success until completions; a Job read back from a cluster counts what it already
/// did and plans its waiting pods under their own names.
/// </summary>
public sealed class PlanJobTests
{
    private const string Nodes = """
        apiVersion: handoff.dev/v1alpha1
        kind: HandoffNode
        metadata: {name: n1}
        spec: {capacity: {cpu: "8", memory: 16Gi}}
        """;

    private static string JobDoc(string spec, string templateAnnotations = "handoff.dev/duration: 2s", string extra = "") => """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: batch, namespace: default, uid: job-uid}
        spec:
          SPEC
          template:
            metadata:
              annotations: {ANNOTATIONS}
            spec:
              schedulerName: handoff
              restartPolicy: Never
              containers: [{name: main, image: busybox:1.36, resources: {requests: {cpu: "1"}}}]
        EXTRA
        """.Replace("SPEC", spec, StringComparison.Ordinal).Replace("ANNOTATIONS", templateAnnotations, StringComparison.Ordinal).Replace("EXTRA", extra, StringComparison.Ordinal);

    private static (int Exit, JsonElement? Plan, string Error) Plan(params string[] documents)
    {
        using var dir = new TempManifests();
        var path = dir.Write("input.yaml", string.Join("\n---\n", documents));
        var (exit, output, error) = Run("-f", path, "-o", "json");
        return (exit, output.Length == 0 ? null : ParseJson(output), error.Replace(path, "input.yaml", StringComparison.Ordinal));
    }

    private static List<(string Name, string Phase, double? Start, double? End)> Pods(JsonElement plan) =>
        [.. plan.GetProperty("functions").EnumerateArray().Select(f => (
            f.GetProperty("name").GetString()!, f.GetProperty("phase").GetString()!,
            f.GetProperty("start").ValueKind == JsonValueKind.Null ? (double?)null : f.GetProperty("start").GetDouble(),
            f.GetProperty("end").ValueKind == JsonValueKind.Null ? (double?)null : f.GetProperty("end").GetDouble()))];

    [Fact]
    public void Parallelism_pods_run_at_once_and_each_success_creates_the_next_until_completions()
    {
        var (exit, plan, error) = Plan(Nodes, JobDoc("parallelism: 2\n  completions: 3"));

        Assert.True(exit == 0, error);
        Assert.Equal("", error);
        Assert.Equal(
            [("job/batch-1", "Succeeded", 0.0, 2.0), ("job/batch-2", "Succeeded", 0.0, 2.0), ("job/batch-3", "Succeeded", 2.0, 4.0)],
            Pods(plan!.Value));
        Assert.Equal("default", Function(plan.Value, "job/batch-3").GetProperty("namespace").GetString());
        Assert.Equal("n1", Function(plan.Value, "job/batch-3").GetProperty("node").GetString());
    }

    [Theory]
    [InlineData("backoffLimit: 6", 1)] // the API server's defaults: parallelism 1, completions 1
    [InlineData("parallelism: 3", 3)] // completions unset: parallelism pods, any one success completes
    [InlineData("completions: 2", 2)] // parallelism 1: one after the other
    [InlineData("parallelism: 0\n  completions: 2", 0)]
    [InlineData("parallelism: 2\n  completions: 4\n  suspend: true", 0)]
    public void The_Job_controllers_defaults_decide_how_many_pods_there_are(string spec, int pods)
    {
        var (exit, plan, error) = Plan(Nodes, JobDoc(spec));

        Assert.True(exit == 0, error);
        Assert.Equal(pods, Pods(plan!.Value).Count);
        Assert.All(Pods(plan.Value), p => Assert.Equal("Succeeded", p.Phase));
    }

    [Fact]
    public void Each_pod_costs_the_templates_requests_and_runs_the_templates_duration()
    {
        var (exit, plan, error) = Plan(Nodes, JobDoc("parallelism: 2\n  completions: 2", "handoff.dev/duration: 5s"));

        Assert.True(exit == 0, error);
        Assert.Equal(5.0, Function(plan!.Value, "job/batch-2").GetProperty("end").GetDouble());
        Assert.Equal("2", Node(plan.Value, "n1").GetProperty("peak").GetProperty("cpu").GetString());
    }

    [Fact]
    public void A_Job_read_back_from_a_cluster_counts_its_successes_and_plans_its_waiting_pods_by_name()
    {
        // 1 of 4 done, one pod waiting for Handoff, one finished pod; parallelism 2: one new pod at once, one more after a success.
        var waiting = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: batch-x7k2p
              namespace: default
              annotations: {handoff.dev/duration: 2s}
              ownerReferences: [{apiVersion: batch/v1, kind: Job, name: batch, uid: job-uid, controller: true}]
            spec:
              schedulerName: handoff
              containers: [{name: main, image: busybox:1.36, resources: {requests: {cpu: "1"}}}]
            """;
        var done = waiting.Replace("batch-x7k2p", "batch-q9z4m", StringComparison.Ordinal) + "\nstatus: {phase: Succeeded}";
        var (exit, plan, error) = Plan(Nodes, JobDoc("parallelism: 2\n  completions: 4", extra: "status: {succeeded: 1}"), waiting, done);

        Assert.True(exit == 0, error);
        Assert.Equal(
            [("job/batch-1", "Succeeded", 0.0, 2.0), ("job/batch-2", "Succeeded", 2.0, 4.0), ("pod/batch-x7k2p", "Succeeded", 0.0, 2.0)],
            Pods(plan!.Value));
    }

    [Fact]
    public void A_finished_Job_creates_nothing_and_a_Job_of_another_scheduler_is_not_planned()
    {
        var complete = JobDoc("completions: 3", extra: "status: {succeeded: 3, conditions: [{type: Complete, status: \"True\"}]}");
        var other = JobDoc("completions: 3").Replace("schedulerName: handoff", "schedulerName: default-scheduler", StringComparison.Ordinal)
            .Replace("name: batch,", "name: other,", StringComparison.Ordinal);
        var (exit, plan, error) = Plan(Nodes, complete, other);

        Assert.True(exit == 0, error);
        Assert.Empty(Pods(plan!.Value));
    }

    [Fact]
    public void Pods_the_Job_never_gets_to_create_are_waiting_and_say_why()
    {
        var (exit, plan, error) = Plan(Nodes, JobDoc("parallelism: 1\n  completions: 2").Replace("cpu: \"1\"", "cpu: \"64\"", StringComparison.Ordinal));

        Assert.True(exit == 0, error);
        var second = Function(plan!.Value, "job/batch-2");
        Assert.Equal(("Pending", "Unschedulable"), (Function(plan.Value, "job/batch-1").GetProperty("phase").GetString(), Function(plan.Value, "job/batch-1").GetProperty("reason").GetString()));
        Assert.Equal(("Waiting", "WaitingForJob"), (second.GetProperty("phase").GetString(), second.GetProperty("reason").GetString()));
        Assert.Equal("not created: Job batch creates it once 1 of its pods have succeeded", second.GetProperty("message").GetString());
    }

    [Fact]
    public void A_Job_whose_pods_would_fail_or_clash_with_a_pods_name_is_refused_and_the_rest_planned()
    {
        var (exit, plan, error) = Plan(Nodes, JobDoc("completions: 2", "handoff.dev/duration: 1s, handoff.dev/outcome: Failed"));
        Assert.True(exit == 1, error);
        Assert.Contains("input.yaml:6: Job default/batch: spec.template.metadata.annotations[handoff.dev/outcome]: Unsupported value: \"Failed\"", error, StringComparison.Ordinal);
        Assert.Empty(Pods(plan!.Value));

        var pod = """
            apiVersion: v1
            kind: Pod
            metadata: {name: batch-2, namespace: default}
            spec:
              schedulerName: handoff
              containers: [{name: main, image: busybox:1.36}]
            """;
        (exit, plan, error) = Plan(Nodes, pod, JobDoc("completions: 2"));
        Assert.Equal(1, exit);
        Assert.Contains("Job default/batch: metadata.name: Duplicate value: pod \"batch-2\" in namespace \"default\"", error, StringComparison.Ordinal);
        Assert.Equal(["pod/batch-2"], Pods(plan!.Value).Select(p => p.Name));
    }
}
