using System.Net;
using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Contract;

/// <summary>
/// batch/v1 Jobs: the API server's defaults (selector, pod template labels), the Job controller's pods (labels,
/// owner reference, the template's scheduler kept), completion and failure with their conditions, and deletion
/// cascading to the pods.
/// </summary>
public abstract class JobContract<TFixture>(TFixture fixture) : ContractTest<TFixture>(fixture)
    where TFixture : IClusterFixture
{
    private static V1Job Job(string name, int? completions = 1, int? parallelism = 1, int backoffLimit = 6, bool fail = false, string? scheduler = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1JobSpec
        {
            Completions = completions,
            Parallelism = parallelism,
            BackoffLimit = backoffLimit,
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta
                {
                    Annotations = new Dictionary<string, string>
                    {
                        ["handoff.dev/sandbox-duration"] = "100ms",
                        ["handoff.dev/sandbox-exit-code"] = fail ? "1" : "0",
                    },
                },
                Spec = new V1PodSpec
                {
                    RestartPolicy = "Never",
                    SchedulerName = scheduler,
                    Containers = [new V1Container { Name = "main", Image = "busybox:1.36", Command = ["sh", "-c", fail ? "exit 1" : "true"] }],
                },
            },
        },
    };

    private async Task<V1Job> JobAsync(string ns, string name, Func<V1Job, bool> done, string what) =>
        await Wait.UntilAsync(() => Client.BatchV1.ReadNamespacedJobAsync(name, ns, cancellationToken: Ct), done, TimeSpan.FromMinutes(3), $"job {name} {what}");

    private static V1JobCondition? Condition(V1Job job, string type) => job.Status?.Conditions?.FirstOrDefault(c => c.Type == type && c.Status == "True");

    private async Task<IList<V1Pod>> PodsOfAsync(string ns, string job) =>
        (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "batch.kubernetes.io/job-name=" + job, cancellationToken: Ct)).Items;

    [Fact]
    public async Task A_job_runs_its_completions_and_ends_Complete_with_its_pods_labelled_and_owned()
    {
        var ns = await NamespaceAsync();
        var created = await Client.BatchV1.CreateNamespacedJobAsync(Job("work", completions: 3, parallelism: 2), ns, cancellationToken: Ct);
        var uid = created.Metadata.Uid;
        Assert.Equal(uid, created.Spec.Selector.MatchLabels["batch.kubernetes.io/controller-uid"]);
        Assert.Equal(("work", uid, "work", uid),
            (created.Spec.Template.Metadata.Labels["batch.kubernetes.io/job-name"], created.Spec.Template.Metadata.Labels["batch.kubernetes.io/controller-uid"],
             created.Spec.Template.Metadata.Labels["job-name"], created.Spec.Template.Metadata.Labels["controller-uid"]));
        Assert.Equal("NonIndexed", created.Spec.CompletionMode);

        var done = await JobAsync(ns, "work", j => Condition(j, "Complete") is not null, "complete");
        Assert.Equal(3, done.Status.Succeeded);
        Assert.NotNull(done.Status.StartTime);
        Assert.NotNull(done.Status.CompletionTime);
        Assert.Equal(("CompletionsReached", "Reached expected number of succeeded pods"), (Condition(done, "Complete")!.Reason, Condition(done, "Complete")!.Message));
        Assert.NotNull(Condition(done, "SuccessCriteriaMet"));

        var pods = await PodsOfAsync(ns, "work");
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p =>
        {
            Assert.StartsWith("work-", p.Metadata.Name, StringComparison.Ordinal);
            Assert.Equal(uid, p.Metadata.Labels["controller-uid"]);
            var owner = Assert.Single(p.Metadata.OwnerReferences);
            Assert.Equal(("batch/v1", "Job", "work", uid, true, true), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller, owner.BlockOwnerDeletion));
            Assert.Equal("Succeeded", p.Status.Phase);
        });
    }

    [Fact]
    public async Task A_job_whose_pods_keep_failing_ends_Failed_with_BackoffLimitExceeded()
    {
        var ns = await NamespaceAsync();
        await Client.BatchV1.CreateNamespacedJobAsync(Job("broken", backoffLimit: 0, fail: true), ns, cancellationToken: Ct);
        var failed = await JobAsync(ns, "broken", j => Condition(j, "Failed") is not null, "failed");
        Assert.Equal(1, failed.Status.Failed);
        Assert.Null(failed.Status.CompletionTime);
        Assert.Equal(("BackoffLimitExceeded", "Job has reached the specified backoff limit"), (Condition(failed, "Failed")!.Reason, Condition(failed, "Failed")!.Message));
        Assert.NotNull(Condition(failed, "FailureTarget"));
    }

    [Fact]
    public async Task A_jobs_pods_keep_the_templates_scheduler_and_go_with_the_job()
    {
        var ns = await NamespaceAsync();
        await Client.BatchV1.CreateNamespacedJobAsync(Job("waits", scheduler: "handoff"), ns, cancellationToken: Ct);
        var pending = await Wait.UntilAsync(() => PodsOfAsync(ns, "waits"), p => p.Count == 1, TimeSpan.FromSeconds(60), "pod created");
        Assert.Equal("handoff", pending[0].Spec.SchedulerName);
        Assert.Null(pending[0].Spec.NodeName);
        Assert.Equal(1, (await JobAsync(ns, "waits", j => j.Status?.Active == 1, "active")).Status.Active);

        await Client.BatchV1.DeleteNamespacedJobAsync("waits", ns, propagationPolicy: "Background", cancellationToken: Ct);
        await Wait.UntilAsync(() => PodsOfAsync(ns, "waits"), p => p.Count == 0, TimeSpan.FromSeconds(60), "pods collected");
    }

    [Fact]
    public async Task A_job_template_must_restart_Never_or_OnFailure()
    {
        var ns = await NamespaceAsync();
        var always = Job("always");
        always.Spec.Template.Spec.RestartPolicy = "Always";
        var invalid = await FailsWith(HttpStatusCode.UnprocessableEntity, () => Client.BatchV1.CreateNamespacedJobAsync(always, ns, cancellationToken: Ct));
        Assert.Contains("spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"", invalid.Message, StringComparison.Ordinal);
    }
}

/// <summary>Against the emulator.</summary>
public sealed class EmulatorJobContractTests(EmulatorFixture fixture) : JobContract<EmulatorFixture>(fixture), IClassFixture<EmulatorFixture>;

/// <summary>Against k3s (skipped with the reason when no Docker engine is reachable).</summary>
[Collection(K3sCluster.Name)]
public sealed class K3sJobContractTests(K3sFixture fixture) : JobContract<K3sFixture>(fixture);
