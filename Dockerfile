# syntax=docker/dockerfile:1
# The Handoff operator image. Build from the repository root:
#   docker build -t handoff-operator:0.1.0 .
# (No container engine is available on the project's CI machines: this file is not built there. CI checks
#  instead that the same `dotnet publish` (for the machine's architecture) works and its output runs — see docs/helm.md.)

# ---- build stage: the .NET SDK restores and publishes the operator ----
# --use-current-runtime: published for the architecture the image is built for (the SDK container's own), which makes
# it ReadyToRun (see the project file): precompiled code, so a starting operator spends seconds less in the JIT.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore first, from the project files only, so that the package layer is cached across code changes.
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY src/Handoff.Api/Handoff.Api.csproj src/Handoff.Api/
COPY src/Handoff.Core/Handoff.Core.csproj src/Handoff.Core/
COPY src/Handoff.Operator/Handoff.Operator.csproj src/Handoff.Operator/
RUN dotnet restore src/Handoff.Operator/Handoff.Operator.csproj --use-current-runtime

COPY src/Handoff.Api/ src/Handoff.Api/
COPY src/Handoff.Core/ src/Handoff.Core/
COPY src/Handoff.Operator/ src/Handoff.Operator/
RUN dotnet publish src/Handoff.Operator/Handoff.Operator.csproj \
      -c Release --use-current-runtime --self-contained false --no-restore -o /app -p:UseAppHost=false -p:ContinuousIntegrationBuild=true

# ---- runtime stage: ASP.NET Core runtime (the operator serves /metrics and the probes), non-root ----
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
LABEL org.opencontainers.image.title="handoff-operator" \
      org.opencontainers.image.description="Handoff: a resource-aware DAG scheduler for Kubernetes" \
      org.opencontainers.image.version="0.1.0"
WORKDIR /app
COPY --from=build /app ./

# The operator opens its own listeners (--metrics-address, --probe-address); the base image's default
# ASP.NET Core port must not add a third one.
ENV ASPNETCORE_HTTP_PORTS="" \
    DOTNET_NOLOGO=1 \
    DOTNET_gcServer=0
EXPOSE 8080 8081

# 1654 is the "app" user of the .NET images. Numeric, so that Kubernetes can verify runAsNonRoot.
USER 1654:1654
ENTRYPOINT ["dotnet", "Handoff.Operator.dll"]
