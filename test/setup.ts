// cdktf's jest matchers (toHaveResource, toHaveResourceWithProperties, ...) and their types.
import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";

Testing.setupJest();
