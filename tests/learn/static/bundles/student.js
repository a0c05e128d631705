function CybermassifBundled(runtime, element) { element.dataset.ready = "yes"; }
