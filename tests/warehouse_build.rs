//! The station's build does not grow: PostgreSQL and Parquet come only with the
//! `warehouse` feature, and Parquet is built without arrow.

use std::process::Command;

fn tree(features: &[&str]) -> Vec<String> {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "--no-default-features",
            "--edges",
            "normal,build",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .args(features)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split(' ').next().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn postgres_and_parquet_come_only_with_the_warehouse_feature() {
    let warehouse = [
        "postgres",
        "tokio-postgres",
        "parquet",
        "native-tls",
        "tokio",
    ];
    let core = tree(&[]);
    assert!(core.len() > 10, "the tree was listed: {core:?}");
    for c in warehouse {
        assert!(!core.iter().any(|l| l == c), "{c} without the feature");
    }
    let with = tree(&["--features", "warehouse"]);
    for c in warehouse {
        assert!(with.iter().any(|l| l == c), "{c} missing with the feature");
    }
    let arrow: Vec<&String> = with.iter().filter(|l| l.starts_with("arrow")).collect();
    assert!(arrow.is_empty(), "Parquet pulls in arrow: {arrow:?}");
}
