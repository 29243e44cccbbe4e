using Handoff.Cli.Sandbox;
using Handoff.Cli.Tests.Sandbox;
using Handoff.Cli.Tests.Planning;

namespace Handoff.Cli.Tests.Commands;

/// <summary>
/// One duration annotation, <c>handoff.dev/duration</c>, for plan and the sandbox's kubelet; the old
/// <c>handoff.dev/sandbox-duration</c> still works, with a warning (plan: stderr; sandbox: its progress output, or stderr
/// with --until-done).
/// </summary>
public sealed class DurationAnnotationTests
{
    private static string Function(string name, string annotations, string templateAnnotations = "{}") => $$"""
        apiVersion: handoff.dev/v1alpha1
        kind: HandoffFunction
        metadata:
          name: {{name}}
          annotations: {{annotations}}
        spec:
          template:
            metadata:
              annotations: {{templateAnnotations}}
            spec:
              containers:
              - {name: main, image: busybox}

        """;

    private const string Node = """
        apiVersion: handoff.dev/v1alpha1
        kind: HandoffNode
        metadata: {name: duration-node}
        spec: {capacity: {cpu: "2"}}
        ---

        """;

    [Fact]
    public void Plan_reads_the_old_name_as_the_duration_and_warns_on_stderr()
    {
        using var files = new TempManifests();
        var path = files.Write("old.yaml", Node + Function("old", "{handoff.dev/sandbox-duration: 3s}"));

        var (exit, output, error) = PlanHarness.Run("-f", path, "-o", "json");

        Assert.Equal(0, exit);
        Assert.Equal(3.0, PlanHarness.Function(PlanHarness.ParseJson(output), "old").GetProperty("end").GetDouble());
        Assert.Contains($"warning: {path}:6: HandoffFunction default/old: annotation handoff.dev/sandbox-duration is deprecated: use handoff.dev/duration", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_prefers_the_new_name_and_says_nothing()
    {
        using var files = new TempManifests();
        var path = files.Write("new.yaml", Node + Function("both", "{handoff.dev/duration: 2s, handoff.dev/sandbox-duration: 9s}"));

        var (exit, output, error) = PlanHarness.Run("-f", path, "-o", "json");

        Assert.Equal(0, exit);
        Assert.Equal(2.0, PlanHarness.Function(PlanHarness.ParseJson(output), "both").GetProperty("end").GetDouble());
        Assert.Equal("", error);
    }

    [Fact]
    public async Task The_sandbox_kubelet_runs_a_pod_for_its_handoff_dev_duration()
    {
        using var files = new TempManifests();
        var path = files.Write("slow.yaml", Node + Function("slow-new", "{}", "{handoff.dev/duration: 1h}"));
        await using var run = SandboxRun.Start("--apply", path, "--until-done", "--pod-duration", "50ms");
        await run.Output.WaitForAsync("default/slow-new Running", TimeSpan.FromSeconds(30));

        // With the default of 50ms it would be Succeeded long before; an hour keeps it Running.
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.DoesNotContain("default/slow-new Succeeded", run.Output.Text, StringComparison.Ordinal);
        Assert.Equal(UntilDoneExitCodes.Interrupted, await run.StopAsync());
        Assert.DoesNotContain("deprecated", run.Error.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sandbox_warns_about_the_old_name_in_its_progress_output()
    {
        using var files = new TempManifests();
        var path = files.Write("old.yaml", Node + Function("old-name", "{handoff.dev/sandbox-duration: 50ms}"));
        await using var run = SandboxRun.Start("--apply", path);

        await run.Output.WaitForAsync("warning: HandoffFunction default/old-name: annotation handoff.dev/sandbox-duration is deprecated: use handoff.dev/duration", TimeSpan.FromSeconds(30));
        Assert.Equal(0, await run.StopAsync());
    }

    [Fact]
    public async Task With_until_done_the_warning_goes_to_stderr()
    {
        using var files = new TempManifests();
        var path = files.Write("old.yaml", Node + Function("old-until", "{handoff.dev/sandbox-duration: 50ms}"));

        var (exit, output, error) = await SandboxRun.RunAsync("--apply", path, "--until-done");

        Assert.Equal(UntilDoneExitCodes.AllSucceeded, exit);
        Assert.Contains("warning: HandoffFunction default/old-until: annotation handoff.dev/sandbox-duration is deprecated", error, StringComparison.Ordinal);
        Assert.DoesNotContain("deprecated", output, StringComparison.Ordinal);
    }
}
