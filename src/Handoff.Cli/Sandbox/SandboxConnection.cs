using Handoff.Operator.Infrastructure;
using Handoff.Sandbox;
using k8s;

namespace Handoff.Cli.Sandbox;

/// <summary>
/// A client of the emulator, and the informers' streams over it (the operator's watch sources read through
/// <see cref="ApiStreams"/>). Disposing the client ends both.
/// </summary>
internal sealed record SandboxConnection(Kubernetes Client, ApiStreams Streams)
{
    public static SandboxConnection Open(SandboxServer server)
    {
        var config = server.CreateClientConfiguration();
        var client = new Kubernetes(config);
        return new SandboxConnection(client, new ApiStreams(client, config));
    }
}
