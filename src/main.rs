/// Checking is allocation-heavy (a YAML tree and a JSON value per record);
/// mimalloc makes that markedly cheaper than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    casework::cli::main()
}
