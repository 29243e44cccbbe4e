using System.Net;
using System.Net.Sockets;
using Handoff.Sandbox.Tests.Support;
using Handoff.Testing;
using k8s;

using Wait = Handoff.Sandbox.Tests.Support.Wait;

namespace Handoff.Sandbox.Tests;

/// <summary><c>handoff sandbox</c>'s body: ready line, kubeconfig, CRDs, --apply, clean stop, and clear errors.</summary>
public sealed class SandboxHostTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sandbox-host-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class Capture : TextWriter
    {
        private readonly System.Text.StringBuilder _text = new();

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_text)
            {
                _text.Append(value);
            }
        }

        public override string ToString()
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }

    private SandboxHostOptions Options(params string[] apply) => new()
    {
        WorkingDirectory = _dir,
        KubeconfigPath = "out/sandbox.kubeconfig",
        Apply = apply,
        CrdsDirectory = Path.Combine(_dir, "crds"),
    };

    [Fact]
    public async Task Starts_installs_CRDs_writes_kubeconfig_applies_prints_ready_and_stops_with_0()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "crds"));
        await File.WriteAllTextAsync(Path.Combine(_dir, "crds", "widgets.yaml"), TestData.WidgetCrd, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(_dir, "w.yaml"), TestData.Widget("w1", 5), TestContext.Current.CancellationToken);
        var output = new Capture();
        var error = new Capture();
        using var stop = new CancellationTokenSource();
        var companionStarted = false;
        SandboxCompanion companion = (server, kubeconfig, _) =>
        {
            companionStarted = File.Exists(kubeconfig) && server.Port > 0;
            return Task.FromResult<IAsyncDisposable?>(null);
        };
        var run = SandboxHost.RunAsync(Options("w.yaml"), output, error, [companion], stop.Token);
        await Wait.UntilAsync(() => output.ToString().Contains(SandboxHost.ReadyLine + Environment.NewLine, StringComparison.Ordinal) || run.IsCompleted, what: "ready line");
        Assert.False(run.IsCompleted, $"host exited early: {output}\n{error}");
        var text = output.ToString();
        var kubeconfig = Path.Combine(_dir, "out", "sandbox.kubeconfig");
        Assert.Contains($"export KUBECONFIG={kubeconfig}", text, StringComparison.Ordinal);
        Assert.Contains("widget.sandbox.test/w1 created", text, StringComparison.Ordinal);
        Assert.Single(text.Split(Environment.NewLine), l => l == SandboxHost.ReadyLine);
        Assert.True(companionStarted);

        using (var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig)))
        {
            var nodes = await client.CoreV1.ListNodeAsync(cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(3, nodes.Items.Count);
            Assert.Equal(5, (await client.GetWidgetAsync("default", "w1")).Spec!.Size);
        }

        using (var kubectl = new Kubectl(kubeconfig))
        {
            Assert.Matches(@"node-1\s+Ready", await kubectl.MustAsync(["get", "nodes"], TestContext.Current.CancellationToken));
        }

        await stop.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));
        Assert.Empty(error.ToString());
    }

    [Fact]
    public async Task A_port_in_use_is_a_clear_error_and_exit_1()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var error = new Capture();
        var code = await SandboxHost.RunAsync(new SandboxHostOptions { Port = port, WorkingDirectory = _dir }, new Capture(), error, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(1, code);
        Assert.Contains($"port {port} on 127.0.0.1 is already in use", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_or_invalid_nodes_file_is_a_clear_error_and_exit_1()
    {
        var error = new Capture();
        Assert.Equal(1, await SandboxHost.RunAsync(new SandboxHostOptions { NodesFile = "missing.yaml", WorkingDirectory = _dir }, new Capture(), error, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("cannot read nodes file", error.ToString(), StringComparison.Ordinal);

        await File.WriteAllTextAsync(Path.Combine(_dir, "nodes.yaml"), "nodes:\n- name: a\n  ready: maybe\n", TestContext.Current.CancellationToken);
        var error2 = new Capture();
        Assert.Equal(1, await SandboxHost.RunAsync(new SandboxHostOptions { NodesFile = "nodes.yaml", WorkingDirectory = _dir }, new Capture(), error2, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("nodes[0].ready: expected true or false", error2.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_manifest_is_a_clear_error_and_exit_1()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "crds"));
        await File.WriteAllTextAsync(Path.Combine(_dir, "crds", "widgets.yaml"), TestData.WidgetCrd, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(_dir, "bad.yaml"), TestData.Widget("w1", 500), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(_dir, "broken.yaml"), "kind: [unclosed", TestContext.Current.CancellationToken);

        var error = new Capture();
        Assert.Equal(1, await SandboxHost.RunAsync(Options("bad.yaml"), new Capture(), error, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("spec.size in body should be less than or equal to 100", error.ToString(), StringComparison.Ordinal);

        var error2 = new Capture();
        Assert.Equal(1, await SandboxHost.RunAsync(Options("broken.yaml"), new Capture(), error2, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("error parsing", error2.ToString(), StringComparison.Ordinal);

        var error3 = new Capture();
        Assert.Equal(1, await SandboxHost.RunAsync(Options("nope.yaml"), new Capture(), error3, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("the path \"nope.yaml\" does not exist", error3.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_CRD_folder_is_found_beside_Handoff_sln_upward_from_the_working_directory()
    {
        var root = Path.Combine(_dir, "repo");
        Directory.CreateDirectory(Path.Combine(root, "crds"));
        Directory.CreateDirectory(Path.Combine(root, "src", "deep"));
        File.WriteAllText(Path.Combine(root, "Handoff.sln"), "");
        Assert.Equal(Path.Combine(root, "crds"), SandboxHost.FindCrds(Path.Combine(root, "src", "deep")));
        Assert.Null(SandboxHost.FindCrds(_dir));
    }
}
