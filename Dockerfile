# syntax=docker/dockerfile:1
# The Handoff operator image. Build from the repository root:
#   docker build -t handoff-operator:0.1.0 .
# (No container engine is available on the project's CI machines: this file is not built there. CI checks
#  instead that the same `dotnet publish` (for the machine's architecture) works and its output runs — see docs/helm.md.)

# ---- build stage: the .NET SDK restores and publishes the operator as a native (Native AOT) executable ----
# Native AOT: the operator is compiled ahead of time into one executable — ~40 MB less memory idle, a fifth less CPU
# per function placed and a new leader binding sooner than the just-in-time build (docs/performance.md, Round 2,
# "Native AOT, shipped, and an idle trim"). --use-current-runtime: built for the architecture the image is built for. The native
# compiler links with the platform's C toolchain (clang) and zlib.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends clang zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src

# Restore first, from the project files only, so that the package layer is cached across code changes.
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY src/Handoff.Api/Handoff.Api.csproj src/Handoff.Api/
COPY src/Handoff.Core/Handoff.Core.csproj src/Handoff.Core/
COPY src/Handoff.Operator/Handoff.Operator.csproj src/Handoff.Operator/
RUN dotnet restore src/Handoff.Operator/Handoff.Operator.csproj --use-current-runtime -p:HandoffNativeAot=true

COPY src/Handoff.Api/ src/Handoff.Api/
COPY src/Handoff.Core/ src/Handoff.Core/
COPY src/Handoff.Operator/ src/Handoff.Operator/
RUN dotnet publish src/Handoff.Operator/Handoff.Operator.csproj \
      -c Release --use-current-runtime -p:HandoffNativeAot=true --no-restore -o /app -p:ContinuousIntegrationBuild=true

# ---- runtime stage: only the native libraries a .NET executable needs (no .NET runtime: it is compiled in), non-root ----
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0 AS runtime
LABEL org.opencontainers.image.title="handoff-operator" \
      org.opencontainers.image.description="Handoff: a resource-aware DAG scheduler for Kubernetes" \
      org.opencontainers.image.version="0.1.0"
WORKDIR /app
# The executable alone: the publish output's debug symbols (*.dbg) stay in the build stage.
COPY --from=build /app/Handoff.Operator ./

# The operator opens its own listeners (--metrics-address, --probe-address); the base image's default
# ASP.NET Core port must not add a third one. Workstation GC (the project's setting, compiled in; kept explicit).
ENV ASPNETCORE_HTTP_PORTS="" \
    DOTNET_NOLOGO=1 \
    DOTNET_gcServer=0
EXPOSE 8080 8081

# 1654 is the "app" user of the .NET images. Numeric, so that Kubernetes can verify runAsNonRoot.
USER 1654:1654
ENTRYPOINT ["/app/Handoff.Operator"]
