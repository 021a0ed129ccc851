// Reports running VMs whose CPU load is below a threshold (default 5 %), longest-running first.
// Usage: dotnet fsi examples/fsharp/idle-report.fsx [THRESHOLD]    e.g. 0.10 for 10 %
#r "../../.build/client/Octopus.Contracts.dll"
#r "../../.build/client/Octopus.Client.dll"
open System.Globalization
open Octopus.Client

let threshold =
    match fsi.CommandLineArgs with
    | [| _; t |] -> System.Double.Parse(t, CultureInfo.InvariantCulture)
    | _ -> 0.05
let octopus = OctopusClient.Connect()

let running = octopus.Vms.All(VmQuery(State = VmStates.Running))
let idle = running |> Seq.filter (fun v -> v.CpuLoad < threshold) |> Seq.sortBy (fun v -> v.StateChangedAt) |> List.ofSeq
printfn "%-20s %-12s %-10s %6s  %s" "VM" "OWNER" "HOST" "LOAD" "SINCE"
for v in idle do
    printfn "%-20s %-12s %-10s %5.1f%%  %s" v.Name v.Owner (defaultArg (Option.ofObj v.Host) "-") (v.CpuLoad * 100.0) (v.StateChangedAt.ToString("u"))
printfn "%d idle of %d running (load below %.0f%%)" idle.Length running.Count (threshold * 100.0)
