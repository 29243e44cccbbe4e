using System.CommandLine;
using Handoff.Cli.Sandbox;
using Handoff.Sandbox;

namespace Handoff.Cli.Commands;

/// <summary><c>handoff sandbox</c>: runs the simulated Kubernetes API server with simulated nodes (and later the operator).</summary>
internal static class SandboxCommand
{
    /// <param name="companions">Started once the sandbox is up, before <c>sandbox ready</c> (the seam where the operator joins).</param>
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
            Description = "Directory of CRD manifests to install (default: crds/ beside Handoff.sln, searched upward from the current directory).",
        };
        var noKubelet = new Option<bool>("--no-kubelet")
        {
            Description = "Do not move pods through their phases (leave pod status to you).",
        };
        var podDuration = new Option<string>("--pod-duration")
        {
            Description = "How long a pod runs without a handoff.dev/sandbox-duration annotation (Go duration, e.g. 1s, 500ms, 2m).",
            DefaultValueFactory = _ => "1s",
        };

        var command = new Command("sandbox", "Run a SIMULATED Kubernetes API server with simulated nodes on 127.0.0.1 (for trying Handoff and for tests; not a real cluster).")
        {
            port, kubeconfig, nodes, apply, crds, noKubelet, podDuration,
        };
        command.SetAction((parseResult, ct) => SandboxCli.RunAsync(
            new SandboxHostOptions
            {
                Port = parseResult.GetValue(port),
                KubeconfigPath = parseResult.GetValue(kubeconfig)!,
                NodesFile = parseResult.GetValue(nodes),
                Apply = parseResult.GetValue(apply) ?? [],
                CrdsDirectory = parseResult.GetValue(crds),
                SimulateKubelet = !parseResult.GetValue(noKubelet),
            },
            parseResult.GetValue(podDuration)!,
            companions,
            ct));
        return command;
    }
}
