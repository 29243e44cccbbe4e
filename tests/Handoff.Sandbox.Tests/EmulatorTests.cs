using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Handoff.Sandbox.Tests.Support;
using Handoff.Testing;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace Handoff.Sandbox.Tests;

/// <summary>Emulator-only behaviour: simulated nodes and kubelet, fault injection, bookmarks, 410 and re-listing.</summary>
public sealed class EmulatorTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private SandboxServer _server = null!;
    private Kubernetes _client = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await SandboxServer.StartAsync(new SandboxOptions { DefaultPodDuration = TimeSpan.FromMilliseconds(100), BookmarkInterval = TimeSpan.FromMilliseconds(200) }, Ct);
        _client = _server.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private static V1Pod Pod(string name, string? node = null, Dictionary<string, string>? annotations = null, int containers = 1) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Annotations = annotations },
        Spec = new V1PodSpec
        {
            NodeName = node,
            RestartPolicy = "Never",
            Containers = [.. Enumerable.Range(0, containers).Select(i => new V1Container { Name = $"c{i}", Image = "busybox" })],
        },
    };

    private async Task<V1Pod> PodPhaseAsync(string name, string phase, Kubernetes? client = null) =>
        await Wait.ForAsync(() => (client ?? _client).CoreV1.ReadNamespacedPodAsync(name, "default", cancellationToken: Ct), p => p.Status?.Phase == phase, $"pod {name} {phase}");

    [Fact]
    public async Task Default_nodes_are_three_ready_nodes_one_with_two_GPUs()
    {
        var nodes = (await _client.CoreV1.ListNodeAsync(cancellationToken: Ct)).Items;
        Assert.Equal(["gpu-1", "node-1", "node-2"], nodes.Select(n => n.Metadata.Name));
        Assert.All(nodes, n => Assert.Contains(n.Status.Conditions, c => c.Type == "Ready" && c.Status == "True" && c.Reason == "KubeletReady"));
        var gpu = nodes.Single(n => n.Metadata.Name == "gpu-1");
        Assert.Equal("2", gpu.Status.Allocatable["nvidia.com/gpu"].ToString());
        Assert.Equal("gpu-1", gpu.Metadata.Labels["kubernetes.io/hostname"]);
        Assert.Equal("true", gpu.Metadata.Annotations[SimulatedKubelet.SimulatedNodeAnnotation]);
    }

    [Fact]
    public async Task Kubelet_runs_a_bound_pod_to_Succeeded_with_the_result_as_termination_message()
    {
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("ok", annotations: new() { [SimulatedKubelet.ResultAnnotation] = "84", [SimulatedKubelet.DurationAnnotation] = "50ms" }, containers: 2), "default", cancellationToken: Ct);
        await _client.CoreV1.CreateNamespacedPodBindingAsync(new V1Binding { Metadata = new V1ObjectMeta { Name = "ok" }, Target = new V1ObjectReference { Kind = "Node", Name = "node-1" } }, "ok", "default", cancellationToken: Ct);
        var pod = await PodPhaseAsync("ok", "Succeeded");
        var first = pod.Status.ContainerStatuses[0];
        Assert.Equal(0, first.State.Terminated.ExitCode);
        Assert.Equal("Completed", first.State.Terminated.Reason);
        Assert.Equal("84", first.State.Terminated.Message);
        Assert.NotNull(first.State.Terminated.StartedAt);
        Assert.NotNull(first.State.Terminated.FinishedAt);
        Assert.Null(pod.Status.ContainerStatuses[1].State.Terminated.Message);
        Assert.Equal("10.0.0.11", pod.Status.HostIP);
        Assert.Contains(pod.Status.Conditions, c => c.Type == "Ready" && c.Status == "False" && c.Reason == "PodCompleted");
    }

    [Fact]
    public async Task Kubelet_fails_a_pod_with_a_non_zero_exit_code()
    {
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("bad", "gpu-1", new() { [SimulatedKubelet.ExitCodeAnnotation] = "3", [SimulatedKubelet.ResultAnnotation] = "boom", [SimulatedKubelet.DurationAnnotation] = "0s" }), "default", cancellationToken: Ct);
        var pod = await PodPhaseAsync("bad", "Failed");
        Assert.Equal(3, pod.Status.ContainerStatuses[0].State.Terminated.ExitCode);
        Assert.Equal("Error", pod.Status.ContainerStatuses[0].State.Terminated.Reason);
        Assert.Equal("boom", pod.Status.ContainerStatuses[0].State.Terminated.Message);
    }

    [Fact]
    public async Task Kubelet_follows_a_fake_clock_and_reports_running_until_the_duration_passes()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { TimeProvider = clock }, Ct);
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("slow", "node-2", new() { [SimulatedKubelet.DurationAnnotation] = "30s" }), "default", cancellationToken: Ct);
        var running = await PodPhaseAsync("slow", "Running", client);
        Assert.True(running.Status.ContainerStatuses[0].Ready);
        Assert.Equal(new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc), running.Status.StartTime);

        var finished = await Wait.ForAsync(async () =>
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            return await client.CoreV1.ReadNamespacedPodAsync("slow", "default", cancellationToken: Ct);
        }, p => p.Status.Phase == "Succeeded", "pod finished on the fake clock");
        var terminated = finished.Status.ContainerStatuses[0].State.Terminated;
        Assert.True(terminated.FinishedAt - terminated.StartedAt >= TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Without_the_kubelet_pods_stay_pending_until_the_test_drives_them()
    {
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { SimulateKubelet = false }, Ct);
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("manual", "node-1"), "default", cancellationToken: Ct);
        Assert.False(server.Kubelet.Enabled);
        Assert.Equal("Pending", (await client.CoreV1.ReadNamespacedPodAsync("manual", "default", cancellationToken: Ct)).Status.Phase);
        server.Kubelet.StartPod("default", "manual");
        Assert.Equal("Running", (await client.CoreV1.ReadNamespacedPodAsync("manual", "default", cancellationToken: Ct)).Status.Phase);
        server.Kubelet.FinishPod("default", "manual", exitCode: 1, message: new string('x', 5000));
        var pod = await client.CoreV1.ReadNamespacedPodAsync("manual", "default", cancellationToken: Ct);
        Assert.Equal("Failed", pod.Status.Phase);
        Assert.Equal(4096, pod.Status.ContainerStatuses[0].State.Terminated.Message.Length);
    }

    [Fact]
    public async Task Nodes_can_be_added_removed_and_flipped_NotReady()
    {
        _server.Kubelet.AddNode(new SandboxNode("extra") { Allocatable = new Dictionary<string, string> { ["example.com/fpga"] = "1" }, Labels = new Dictionary<string, string> { ["zone"] = "c" } });
        var extra = await _client.CoreV1.ReadNodeAsync("extra", cancellationToken: Ct);
        Assert.Equal("1", extra.Status.Allocatable["example.com/fpga"].ToString());
        Assert.Equal("8", extra.Status.Allocatable["cpu"].ToString());

        _server.Kubelet.SetNodeReady("extra", false);
        var notReady = await _client.CoreV1.ReadNodeAsync("extra", cancellationToken: Ct);
        Assert.Contains(notReady.Status.Conditions, c => c.Type == "Ready" && c.Status == "False");
        Assert.Contains(notReady.Spec.Taints, t => t.Key == "node.kubernetes.io/not-ready");

        // A pod on a NotReady node does not start; it does once the node is Ready again.
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("waits", "extra"), "default", cancellationToken: Ct);
        Assert.Equal("Pending", (await _client.CoreV1.ReadNamespacedPodAsync("waits", "default", cancellationToken: Ct)).Status.Phase);
        _server.Kubelet.SetNodeReady("extra", true);
        await PodPhaseAsync("waits", "Succeeded");

        await _client.CoreV1.CreateNamespacedPodAsync(Pod("orphan", "extra", new() { [SimulatedKubelet.DurationAnnotation] = "1h" }), "default", cancellationToken: Ct);
        await PodPhaseAsync("orphan", "Running");
        _server.Kubelet.RemoveNode("extra");
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReadNodeAsync("extra", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, e.Response.StatusCode);
        var pods = await _client.CoreV1.ListNamespacedPodAsync("default", cancellationToken: Ct);
        Assert.DoesNotContain(pods.Items, p => p.Metadata.Name is "orphan" or "waits");
    }

    [Fact]
    public void Nodes_load_from_YAML_and_bad_files_are_clear_errors()
    {
        var nodes = SandboxNode.ParseYaml("""
            nodes:
            - name: a
              labels: {zone: x}
              allocatable: {cpu: "4", nvidia.com/gpu: "1", specialized_hardware: "2"}
            - name: b
              ready: false
              unschedulable: true
            """);
        Assert.Equal(["a", "b"], nodes.Select(n => n.Name));
        Assert.Equal("2", nodes[0].Allocatable["specialized_hardware"]);
        Assert.False(nodes[1].Ready);
        Assert.True(nodes[1].Unschedulable);

        Assert.Contains("unknown field \"cpu\"", Assert.Throws<FormatException>(() => SandboxNode.ParseYaml("nodes: [{name: a, cpu: 2}]")).Message, StringComparison.Ordinal);
        Assert.Contains("nodes[0].name: required", Assert.Throws<FormatException>(() => SandboxNode.ParseYaml("nodes: [{labels: {}}]")).Message, StringComparison.Ordinal);
        Assert.Contains("invalid YAML", Assert.Throws<FormatException>(() => SandboxNode.ParseYaml("nodes: [a: b: c")).Message, StringComparison.Ordinal);
        Assert.Contains("cannot read nodes file", Assert.Throws<FormatException>(() => SandboxNode.LoadFile("/nonexistent/nodes.yaml")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Injected_failures_answer_Status_errors_for_matching_requests_only()
    {
        _server.Faults.FailNext(2, 500, verb: "create", resource: "configmaps");
        _server.Faults.FailNext(1, 429, verb: "list", resource: "pods");
        var cm = new V1ConfigMap { Metadata = new V1ObjectMeta { GenerateName = "f-" } };
        var first = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.InternalServerError, first.Response.StatusCode);
        Assert.Equal("InternalError", KubernetesJson.Deserialize<V1Status>(first.Response.Content).Reason);
        await _client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct);
        await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default", cancellationToken: Ct));
        await _client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default", cancellationToken: Ct);

        var throttled = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ListNamespacedPodAsync("default", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.Response.StatusCode);
        Assert.Equal(0, _server.Faults.PendingFailures);

        _server.Faults.FailNext(1, 409, resource: "pods/binding");
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("b1"), "default", cancellationToken: Ct);
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.CreateNamespacedPodBindingAsync(
            new V1Binding { Metadata = new V1ObjectMeta { Name = "b1" }, Target = new V1ObjectReference { Kind = "Node", Name = "node-1" } }, "b1", "default", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);
    }

    [Fact]
    public async Task Latency_and_faults_are_also_controlled_over_HTTP()
    {
        using var http = new HttpClient { BaseAddress = _server.BaseAddress };
        using var latency = new StringContent("""{"milliseconds":150}""", Encoding.UTF8, "application/json");
        (await http.PostAsync(new Uri("sandbox/faults/latency", UriKind.Relative), latency, Ct)).EnsureSuccessStatusCode();
        var started = DateTime.UtcNow;
        await _client.CoreV1.ListNamespaceAsync(cancellationToken: Ct);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(140));
        using var fail = new StringContent("""{"count":1,"status":503,"verb":"get","resource":"namespaces"}""", Encoding.UTF8, "application/json");
        (await http.PostAsync(new Uri("sandbox/faults/fail", UriKind.Relative), fail, Ct)).EnsureSuccessStatusCode();
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReadNamespaceAsync("default", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, e.Response.StatusCode);
        (await http.DeleteAsync(new Uri("sandbox/faults", UriKind.Relative), Ct)).EnsureSuccessStatusCode();
        Assert.Equal(TimeSpan.Zero, _server.Faults.Latency);
    }

    [Fact]
    public async Task A_watch_resumed_from_an_expired_resourceVersion_gets_410_Expired()
    {
        var list = await _client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct);
        await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "later" } }, "default", cancellationToken: Ct);
        _server.Faults.ExpireWatchHistory();
        var errors = new List<Exception>();
        var events = new List<WatchEventType>();
        await foreach (var (type, _) in _client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: list.Metadata.ResourceVersion,
            onError: e => errors.Add(e), cancellationToken: Ct))
        {
            events.Add(type);
        }

        Assert.Empty(events);
        var error = Assert.IsType<KubernetesException>(Assert.Single(errors));
        Assert.Equal(410, error.Status.Code);
        Assert.Equal("Expired", error.Status.Reason);
    }

    [Fact]
    public async Task Bookmarks_arrive_when_asked_for_and_timeoutSeconds_ends_the_watch()
    {
        using var http = new HttpClient { BaseAddress = _server.BaseAddress };
        var rv = _server.ResourceVersion;
        using var response = await http.GetAsync(new Uri($"api/v1/namespaces/default/pods?watch=true&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion={rv}", UriKind.Relative),
            HttpCompletionOption.ResponseHeadersRead, Ct);
        var lines = (await response.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        var bookmark = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal("BOOKMARK", bookmark.GetProperty("type").GetString());
        Assert.Equal("Pod", bookmark.GetProperty("object").GetProperty("kind").GetString());
        Assert.True(long.Parse(bookmark.GetProperty("object").GetProperty("metadata").GetProperty("resourceVersion").GetString()!, System.Globalization.CultureInfo.InvariantCulture) >= rv);
    }

    [Fact]
    public async Task An_informer_loop_survives_forced_disconnects_by_resuming_or_relisting()
    {
        var state = new Dictionary<string, string>();
        var resourceVersion = "";

        async Task RelistAsync()
        {
            var list = await _client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct);
            state.Clear();
            foreach (var item in list.Items)
            {
                state[item.Metadata.Name] = item.Metadata.ResourceVersion;
            }

            resourceVersion = list.Metadata.ResourceVersion;
        }

        // One watch session: apply events until the server closes the stream; false when it answered 410.
        async Task<bool> WatchUntilClosedAsync(Action? whileOpen = null)
        {
            var expired = false;
            var opened = false;
            await foreach (var (type, cm) in _client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: resourceVersion, allowWatchBookmarks: true,
                onError: e => expired |= e is KubernetesException { Status.Code: 410 }, cancellationToken: Ct))
            {
                if (type == WatchEventType.Deleted)
                {
                    state.Remove(cm.Metadata.Name);
                }
                else if (type != WatchEventType.Bookmark)
                {
                    state[cm.Metadata.Name] = cm.Metadata.ResourceVersion;
                }

                resourceVersion = cm.Metadata.ResourceVersion;
                if (!opened)
                {
                    opened = true;
                    whileOpen?.Invoke();
                }
            }

            return !expired;
        }

        await RelistAsync();
        await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "a" } }, "default", cancellationToken: Ct);

        // 1: the server drops every watch; the loop resumes from the last resourceVersion and misses nothing.
        Assert.True(await WatchUntilClosedAsync(() => _server.Faults.CloseAllWatches()));
        await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "b" } }, "default", cancellationToken: Ct);
        await _client.CoreV1.DeleteNamespacedConfigMapAsync("a", "default", cancellationToken: Ct);
        Assert.True(await WatchUntilClosedAsync(() => _server.Faults.CloseAllWatches()));
        Assert.Equal(["b"], state.Keys.Where(k => k.Length == 1).Order(StringComparer.Ordinal));

        // 2: changes while disconnected and the history expired: resume answers 410, the loop re-lists.
        await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c" } }, "default", cancellationToken: Ct);
        await _client.CoreV1.DeleteNamespacedConfigMapAsync("b", "default", cancellationToken: Ct);
        _server.Faults.ExpireWatchHistory();
        Assert.False(await WatchUntilClosedAsync());
        await RelistAsync();
        Assert.Equal(["c"], state.Keys.Where(k => k.Length == 1).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task kubectl_style_table_watch_carries_one_row_per_event()
    {
        using var http = new HttpClient { BaseAddress = _server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("api/v1/nodes?watch=true&timeoutSeconds=1", UriKind.Relative));
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("application/json;as=Table;v=v1;g=meta.k8s.io"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        var lines = (await response.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        var first = JsonDocument.Parse(lines[0]).RootElement.GetProperty("object");
        Assert.Equal("Table", first.GetProperty("kind").GetString());
        Assert.Equal(["Name", "Status", "Roles", "Age", "Version"], first.GetProperty("columnDefinitions").EnumerateArray().Take(5).Select(c => c.GetProperty("name").GetString()));
        Assert.Equal("Ready", first.GetProperty("rows")[0].GetProperty("cells")[1].GetString());
    }

    [Fact]
    public async Task Applying_manifests_in_process_creates_then_configures()
    {
        var lines = await _server.ApplyAsync(TestData.WidgetCrd + "\n---\n" + TestData.Widget("w", 2), cancellationToken: Ct);
        Assert.Equal(["customresourcedefinition.apiextensions.k8s.io/widgets.sandbox.test created", "widget.sandbox.test/w created"], lines);
        Assert.Equal(["widget.sandbox.test/w configured"], await _server.ApplyAsync(TestData.Widget("w", 3), cancellationToken: Ct));
        Assert.Equal(["widget.sandbox.test/w unchanged"], await _server.ApplyAsync(TestData.Widget("w", 3), cancellationToken: Ct));
        var invalid = await Assert.ThrowsAsync<SandboxException>(() => _server.ApplyAsync(TestData.Widget("w", 300), "bad.yaml", Ct));
        Assert.Equal(422, invalid.StatusCode);
        Assert.Contains("spec.size in body should be less than or equal to 100", invalid.Message, StringComparison.Ordinal);
        var unknownKind = await Assert.ThrowsAsync<SandboxException>(() => _server.ApplyAsync("apiVersion: x/v1\nkind: Nope\nmetadata: {name: n}\n", "k.yaml", Ct));
        Assert.Contains("no matches for kind \"Nope\" in version \"x/v1\"", unknownKind.Message, StringComparison.Ordinal);
        var badLabelKey = await Assert.ThrowsAsync<SandboxException>(() => _server.ApplyAsync(TestData.Widget("w2", 1, "labels: {Bad_Key: x}"), "l.yaml", Ct));
        Assert.Contains("spec.labels: Invalid value: \"object\": label keys are lowercase letters", badLabelKey.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Leader_election_with_a_Lease_works_against_the_emulator()
    {
        var leading = new TaskCompletionSource();
        var config = new k8s.LeaderElection.LeaderElectionConfig(new k8s.LeaderElection.ResourceLock.LeaseLock(_client, "default", "handoff-leader", "replica-a"))
        {
            LeaseDuration = TimeSpan.FromSeconds(2),
            RenewDeadline = TimeSpan.FromSeconds(1),
            RetryPeriod = TimeSpan.FromMilliseconds(100),
        };
        using var elector = new k8s.LeaderElection.LeaderElector(config);
        elector.OnStartedLeading += () => leading.TrySetResult();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = elector.RunUntilLeadershipLostAsync(stop.Token);
        await leading.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync("handoff-leader", "default", cancellationToken: Ct);
        Assert.Equal("replica-a", lease.Spec.HolderIdentity);

        // Renewals replace the lease with resourceVersion preconditions.
        var renewed = await Wait.ForAsync(() => _client.CoordinationV1.ReadNamespacedLeaseAsync("handoff-leader", "default", cancellationToken: Ct),
            l => l.Spec.RenewTime > lease.Spec.RenewTime, "lease renewed");
        Assert.Equal("replica-a", renewed.Spec.HolderIdentity);
        await stop.CancelAsync();
        try
        {
            await run.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Cancelling ends the elector either way.
        }
    }

    [Fact]
    public async Task Unknown_fields_of_built_in_kinds_warn_and_are_dropped_or_rejected_when_strict()
    {
        using var http = new HttpClient { BaseAddress = _server.BaseAddress };
        using var body = new StringContent("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"warned"},"data":{"a":"b"},"bogus":1}""", Encoding.UTF8, "application/json");
        using var created = await http.PostAsync(new Uri("api/v1/namespaces/default/configmaps", UriKind.Relative), body, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Contains("299 - \"unknown field \\\"bogus\\\"\"", created.Headers.GetValues("Warning"));
        Assert.DoesNotContain("bogus", await http.GetStringAsync(new Uri("api/v1/namespaces/default/configmaps/warned", UriKind.Relative), Ct), StringComparison.Ordinal);

        using var patch = new StringContent("""{"data":{"c":"d"},"metadata":{"labelz":{"x":"y"}}}""", Encoding.UTF8, "application/merge-patch+json");
        using var strict = await http.PatchAsync(new Uri("api/v1/namespaces/default/configmaps/warned?fieldValidation=Strict", UriKind.Relative), patch, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, strict.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(await strict.Content.ReadAsStringAsync(Ct));
        Assert.Equal("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"metadata.labelz\"", status.Message);
    }

    [Fact]
    public async Task Requests_are_counted_by_user_agent_verb_and_resource()
    {
        using var http = new HttpClient { BaseAddress = _server.BaseAddress };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("counting-test/1.0");
        _server.Requests.Clear();
        using var body = new StringContent("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"counted"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}""", Encoding.UTF8, "application/json");
        (await http.PostAsync(new Uri("api/v1/namespaces/default/pods", UriKind.Relative), body, Ct)).EnsureSuccessStatusCode();
        using var binding = new StringContent("""{"apiVersion":"v1","kind":"Binding","metadata":{"name":"counted"},"target":{"kind":"Node","name":"node-1"}}""", Encoding.UTF8, "application/json");
        (await http.PostAsync(new Uri("api/v1/namespaces/default/pods/counted/binding", UriKind.Relative), binding, Ct)).EnsureSuccessStatusCode();
        (await http.GetAsync(new Uri("api/v1/namespaces/default/pods", UriKind.Relative), Ct)).EnsureSuccessStatusCode();
        (await http.GetAsync(new Uri("api/v1/namespaces/default/pods/counted", UriKind.Relative), Ct)).EnsureSuccessStatusCode();
        (await http.GetAsync(new Uri("api/v1/namespaces/default/pods/missing", UriKind.Relative), Ct)).Dispose();

        var mine = _server.Requests.Snapshot().Where(r => r.Key.UserAgent == "counting-test/1.0").ToDictionary(r => (r.Key.Verb, r.Key.Resource), r => r.Value);
        Assert.Equal(
            new Dictionary<(string, string), long> { [("create", "pods")] = 1, [("create", "pods/binding")] = 1, [("list", "pods")] = 1, [("get", "pods")] = 2 },
            mine);
        Assert.Equal(2, _server.Requests.Snapshot().Where(r => r.Key.UserAgent == "counting-test/1.0" && r.Key.IsWrite).Sum(r => r.Value));
    }
}
