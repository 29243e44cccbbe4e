using System.CommandLine;
using Handoff.Cli.Sandbox;
using Handoff.Sandbox;

namespace Handoff.Cli.Commands;

/// <summary><c>handoff sandbox</c>: runs the simulated Kubernetes API server with simulated nodes and the Handoff operator.</summary>
internal static class SandboxCommand
{
    /// <param name="companions">Extra companions, started after the operator and before the manifests are applied, before <c>sandbox ready</c>.</param>
    public static Command Create(IReadOnlyList<SandboxCompanion>? companions = null)
    {
        var port = new Option<int>("--port")
        {
            Description = "TCP port on 127.0.0.1 (0 = a free port).",
            DefaultValueFactory = _ => 0,
        };
        var kubeconfig = new Option<string>("--kubeconfig")
        {
            Description = "Where to write the kubeconfig.",
            DefaultValueFactory = _ => "sandbox.kubeconfig",
        };
        var nodes = new Option<string?>("--nodes")
        {
            Description = "YAML file with the simulated nodes (nodes: [{name, labels, allocatable, ready, unschedulable}]). Default: node-1, node-2, gpu-1 (2 GPUs).",
        };
        var apply = new Option<string[]>("--apply")
        {
            Description = "Manifest file or directory to apply once the sandbox is up (repeatable).",
            AllowMultipleArgumentsPerToken = true,
        };
        var crds = new Option<string?>("--crds")
        {
            Description = "Directory of CRD manifests to install (default: crds/ beside Handoff.sln, searched upward from the current directory, else the CRDs installed with the handoff tool).",
        };
        var noKubelet = new Option<bool>("--no-kubelet")
        {
            Description = "Do not move pods through their phases (leave pod status to you).",
        };
        var podDuration = new Option<string>("--pod-duration")
        {
            Description = "How long a pod runs without a handoff.dev/duration annotation (Go duration, e.g. 1s, 500ms, 2m).",
            DefaultValueFactory = _ => "1s",
        };
        var nodeStatusPeriod = new Option<string?>("--node-status-period")
        {
            Description = "Each simulated kubelet posts its Node's status this often although nothing changed (Go duration, e.g. 5m), as a real cluster's kubelets do every 5m. Default: only when something changes.",
        };

        var rbac = new Option<bool>("--rbac")
        {
            Description = "Authenticate every request (bearer tokens; the API is then HTTPS) and authorize it with RBAC, as a cluster does. The kubeconfig written is the administrator's; `kubectl create token` issues ServiceAccount tokens.",
        };

        var adminPort = new Option<int?>("--admin-port")
        {
            Description = "Serve the admin endpoint (fault injection, request counts, write journal under /sandbox/) on this port of 127.0.0.1 (0 = a free one). Off by default; never on the API port.",
        };
        var recordWrites = new Option<bool>("--record-writes")
        {
            Description = "Keep every accepted write, in order with its user agent, for /sandbox/journal of the admin endpoint (memory grows with every write).",
        };

        var noOperator = new Option<bool>("--no-operator")
        {
            Description = "Run the bare emulator, without the Handoff operator (by default the operator runs in-process against it).",
        };
        var strategy = new Option<string?>("--strategy")
        {
            Description = "The operator's default strategy for functions that name none: FirstAvailable (default), LoadBalanced or BestFit.",
        };
        var discover = DiscoverNodesOption.Create(
            "Run the operator with node discovery: one HandoffNode (capacityFrom: Node, the Node's name and labels, owned by it) for every Node matching SELECTOR (kubectl's -l syntax; bare: every Node) that has no HandoffNode of its name. Plan the same with `handoff plan --discover-nodes[=SELECTOR]`.");
        var untilDone = new Option<bool>("--until-done")
        {
            Description = "After applying (--apply), show progress and exit once every HandoffFunction is Succeeded or Failed (or stuck: Unschedulable, or waiting on unknown or stuck args), and every Job and plain pod that names Handoff as its scheduler is done (Complete or Failed; Succeeded or Failed) or stuck (Unschedulable). Exit 0 if all succeeded, 2 if any failed or is stuck, 3 on timeout.",
        };
        var timeout = new Option<string?>("--timeout")
        {
            Description = "With --until-done: give up after this long (Go duration; default 5m).",
        };

        var command = new Command("sandbox", "Run a SIMULATED Kubernetes API server with simulated nodes on 127.0.0.1, and the Handoff operator against it (for trying Handoff and for tests; not a real cluster).")
        {
            port, kubeconfig, nodes, apply, crds, noKubelet, podDuration, nodeStatusPeriod, rbac, adminPort, recordWrites, noOperator, strategy, discover, untilDone, timeout,
        };
        command.SetAction((parseResult, ct) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var interactive = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected &&
                              Environment.GetEnvironmentVariable("TERM") is not (null or "" or "dumb");
            return SandboxCli.RunAsync(
                new SandboxCliOptions
                {
                    Host = new SandboxHostOptions
                    {
                        Port = parseResult.GetValue(port),
                        KubeconfigPath = parseResult.GetValue(kubeconfig)!,
                        NodesFile = parseResult.GetValue(nodes),
                        CrdsDirectory = parseResult.GetValue(crds) ?? BundledCrds(),
                        SimulateKubelet = !parseResult.GetValue(noKubelet),
                        Rbac = parseResult.GetValue(rbac),
                        AdminPort = parseResult.GetValue(adminPort),
                        RecordWrites = parseResult.GetValue(recordWrites),
                    },
                    Apply = parseResult.GetValue(apply) ?? [],
                    PodDuration = parseResult.GetValue(podDuration)!,
                    NodeStatusPeriod = parseResult.GetValue(nodeStatusPeriod),
                    Operator = !parseResult.GetValue(noOperator),
                    Strategy = parseResult.GetValue(strategy),
                    DiscoverNodes = DiscoverNodesOption.Read(parseResult, discover),
                    UntilDone = parseResult.GetValue(untilDone),
                    Timeout = parseResult.GetValue(timeout),
                },
                output,
                parseResult.InvocationConfiguration.Error,
                interactive,
                companions,
                ct);
        });
        return command;
    }

    /// <summary>
    /// The CRDs shipped beside the program (the .NET tool carries them), used when no repository is found upward from
    /// the current directory; null keeps the sandbox's own search (and its error when nothing is found).
    /// </summary>
    private static string? BundledCrds()
    {
        if (SandboxHost.FindCrds(Directory.GetCurrentDirectory()) is not null)
        {
            return null;
        }

        var bundled = Path.Combine(AppContext.BaseDirectory, "crds");
        return Directory.Exists(bundled) ? bundled : null;
    }
}
