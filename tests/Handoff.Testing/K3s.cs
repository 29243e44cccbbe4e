using System.Net.Sockets;
using DotNet.Testcontainers.Builders;
using Testcontainers.K3s;
using Xunit;

namespace Handoff.Testing;

/// <summary>k3s in Docker via Testcontainers, for the tests that need a real API server and kubelet.</summary>
public static class K3s
{
    public const string Image = "rancher/k3s:v1.31.5-k3s1";

    /// <summary>A started k3s, or why there is none: no Docker engine reachable.</summary>
    public sealed record Attempt(K3sContainer? Container, string? UnavailableReason);

    /// <summary>
    /// Starts k3s. Testcontainers decides whether there is a Docker engine (it knows more places to look than a
    /// socket check); when there is none, the reason says what is missing.
    /// </summary>
    public static async Task<Attempt> TryStartAsync(CancellationToken cancellationToken)
    {
        K3sContainer? container = null;
        try
        {
            // OwnerReferencesPermissionEnforcement is on (as in OpenShift) so that the contract suite pins it and the
            // operator's RBAC is proven against it; NodeRestriction is k3s' own default, which the flag replaces.
            container = new K3sBuilder(Image)
                .WithCommand("--kube-apiserver-arg=enable-admission-plugins=NodeRestriction,OwnerReferencesPermissionEnforcement")
                .Build();
            await container.StartAsync(cancellationToken);
            return new Attempt(container, null);
        }
        catch (DockerUnavailableException e)
        {
            if (container is not null)
            {
                await container.DisposeAsync();
            }

            return new Attempt(null, "No Docker engine reachable: " + (DockerSocket.IsReachable(out var reason) ? e.Message : reason));
        }
    }

    /// <summary>Starts k3s, or skips the test with the reason when no Docker engine is reachable.</summary>
    public static async Task<K3sContainer> StartOrSkipAsync(CancellationToken cancellationToken)
    {
        var (container, reason) = await TryStartAsync(cancellationToken);
        if (container is null)
        {
            Assert.Skip(reason!);
        }

        return container;
    }

    /// <summary>Writes the cluster's kubeconfig (its API server on a local port) to <paramref name="path"/>.</summary>
    public static async Task<string> WriteKubeconfigAsync(this K3sContainer container, string path, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(path, await container.GetKubeconfigAsync(), cancellationToken);
        return path;
    }
}

/// <summary>Checks the Docker socket that DOCKER_HOST (or the default) names, to say why there is no engine.</summary>
public static class DockerSocket
{
    public static bool IsReachable(out string reason)
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (!string.IsNullOrEmpty(host) && !host.StartsWith("unix://", StringComparison.Ordinal))
        {
            reason = "";
            return true;
        }

        var socket = string.IsNullOrEmpty(host) ? "/var/run/docker.sock" : host["unix://".Length..];
        if (!File.Exists(socket))
        {
            reason = $"no Docker socket at {socket} and DOCKER_HOST is not set";
            return false;
        }

        try
        {
            using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            s.Connect(new UnixDomainSocketEndPoint(socket));
            reason = "";
            return true;
        }
        catch (SocketException e)
        {
            reason = $"cannot connect to {socket}: {e.Message}";
            return false;
        }
    }
}
