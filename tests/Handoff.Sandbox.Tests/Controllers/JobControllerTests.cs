using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace Handoff.Sandbox.Tests.Controllers;

/// <summary>The emulator's Job controller in detail: retries with back-off, the tracking finalizer, events, deadline, TTL, suspend.</summary>
public sealed class JobControllerTests : EmulatorTest
{
    protected override SandboxOptions Options => new() { DefaultPodDuration = TimeSpan.FromMilliseconds(50), JobBackoffBase = TimeSpan.FromMilliseconds(50) };

    private static V1Job Job(string name, string exitCode = "0", string duration = "50ms", int backoffLimit = 6) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1JobSpec
        {
            BackoffLimit = backoffLimit,
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Annotations = new Dictionary<string, string> { [SimulatedKubelet.ExitCodeAnnotation] = exitCode, [SimulatedKubelet.DurationAnnotation] = duration } },
                Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "main", Image = "busybox" }] },
            },
        },
    };

    private async Task<V1Job> JobAsync(string name, Func<V1Job, bool> done, string what, Kubernetes? client = null) =>
        await Wait.UntilAsync(() => (client ?? Client).BatchV1.ReadNamespacedJobAsync(name, "default", cancellationToken: Ct), done, what: $"job {name} {what}");

    private async Task<List<string>> ReasonsAsync(string job) =>
        [.. (await Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: $"involvedObject.name={job},involvedObject.kind=Job", cancellationToken: Ct)).Items.Select(e => e.Reason)];

    [Fact]
    public async Task Failed_pods_are_retried_with_back_off_until_the_limit_and_each_step_is_an_event()
    {
        await Client.BatchV1.CreateNamespacedJobAsync(Job("flaky", exitCode: "2", backoffLimit: 2), "default", cancellationToken: Ct);
        var failed = await JobAsync("flaky", j => j.Status?.Conditions?.Any(c => c.Type == "Failed") == true, "failed");
        Assert.Equal(3, failed.Status.Failed);
        Assert.Null(failed.Status.Active);
        var pods = await Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "job-name=flaky", cancellationToken: Ct);
        Assert.Equal(3, pods.Items.Count);
        Assert.All(pods.Items, p => Assert.True(p.Metadata.Finalizers is null or { Count: 0 }, "counted pods lose the job-tracking finalizer"));
        var reasons = await ReasonsAsync("flaky");
        Assert.Equal(3, reasons.Count(r => r == "SuccessfulCreate"));
        Assert.Contains("BackoffLimitExceeded", reasons);
        Assert.Equal(["FailureTarget", "Failed"], failed.Status.Conditions.Select(c => c.Type));
    }

    [Fact]
    public async Task Running_pods_hold_the_tracking_finalizer_and_a_finished_job_has_a_Completed_event()
    {
        await Client.BatchV1.CreateNamespacedJobAsync(Job("tracked", duration: "1h"), "default", cancellationToken: Ct);
        var pod = await Wait.UntilAsync(() => Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "job-name=tracked", cancellationToken: Ct), l => l.Items.Count == 1, what: "pod").ContinueWith(t => t.Result.Items[0], TaskScheduler.Default);
        Assert.Equal(["batch.kubernetes.io/job-tracking"], pod.Metadata.Finalizers);
        await JobAsync("tracked", j => j.Status?.Ready == 1, "ready");
        Server.Kubelet.FinishPod("default", pod.Metadata.Name);
        var done = await JobAsync("tracked", j => j.Status?.Conditions?.Any(c => c.Type == "Complete") == true, "complete");
        Assert.Equal(["SuccessCriteriaMet", "Complete"], done.Status.Conditions.Select(c => c.Type));
        Assert.Contains("Completed", await ReasonsAsync("tracked"));
    }

    [Fact]
    public async Task A_deadline_fails_the_job_and_its_pods_are_stopped_first_and_a_TTL_removes_it()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { TimeProvider = clock }, Ct);
        using var client = server.CreateClient();
        var job = Job("slow", duration: "1h");
        job.Spec.ActiveDeadlineSeconds = 30;
        job.Spec.TtlSecondsAfterFinished = 60;
        await client.BatchV1.CreateNamespacedJobAsync(job, "default", cancellationToken: Ct);
        await JobAsync("slow", j => j.Status?.Active == 1, "active", client);
        clock.Advance(TimeSpan.FromSeconds(31));
        var failed = await JobAsync("slow", j => j.Status?.Conditions?.Any(c => c.Type == "Failed") == true, "failed by deadline", client);
        Assert.Equal(("DeadlineExceeded", "Job was active longer than specified deadline"), (failed.Status.Conditions[^1].Reason, failed.Status.Conditions[^1].Message));

        clock.Advance(TimeSpan.FromSeconds(61));
        await Wait.UntilAsync(async () => (await client.BatchV1.ListNamespacedJobAsync("default", cancellationToken: Ct)).Items.Count, n => n == 0, what: "job expired");
    }

    [Fact]
    public async Task A_suspended_job_creates_no_pods_until_resumed()
    {
        var job = Job("later");
        job.Spec.Suspend = true;
        await Client.BatchV1.CreateNamespacedJobAsync(job, "default", cancellationToken: Ct);
        var suspended = await JobAsync("later", j => j.Status?.Conditions?.Any(c => c.Type == "Suspended" && c.Status == "True") == true, "suspended");
        Assert.Equal("JobSuspended", suspended.Status.Conditions.Single().Reason);
        Assert.Empty((await Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "job-name=later", cancellationToken: Ct)).Items);

        await Client.BatchV1.PatchNamespacedJobAsync(new V1Patch("""{"spec":{"suspend":false}}""", V1Patch.PatchType.MergePatch), "later", "default", cancellationToken: Ct);
        var done = await JobAsync("later", j => j.Status?.Conditions?.Any(c => c.Type == "Complete") == true, "complete");
        Assert.Contains(done.Status.Conditions, c => c.Type == "Suspended" && c.Status == "False" && c.Reason == "JobResumed");
    }
}
